package io.waymark.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.cadence.CadenceStore;
import io.waymark.json.Json;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Cadence enrollments at rest (migration V16): the packed state, the one-live-enrollment index, and rows written before it. */
class CadenceEnrollmentStorageTest {
    private static final Instant T = Instant.parse("2026-03-01T09:00:00Z");

    private static JdbcCadenceStore store(TestDb db) {
        return new JdbcCadenceStore((JdbcTransactor) db.store().transactor(), Dialect.of(db.kind().equals("h2") ? "jdbc:h2:" : "jdbc:postgresql:"));
    }

    private static ObjectNode state() {
        return (ObjectNode) Json.read("{\"next\": 1, \"anchor\": \"2026-03-02T09:00:00.123456789Z\", \"zone\": \"Europe/Berlin\", \"outcomes\": {\"welcome\": "
                + "{\"status\": \"sent\", \"due_at\": \"2026-03-02T09:00:00Z\", \"sent_at\": \"2026-03-02T09:00:01Z\", \"email_id\": \"e-1\", "
                + "\"events\": {\"opened\": \"2026-03-02T10:00:00Z\"}}}, \"timeline\": [{\"at\": \"2026-03-01T09:00:00Z\", \"kind\": \"enrolled\", "
                + "\"by\": \"system\", \"how\": \"criteria\"}, {\"at\": \"2026-03-02T09:00:00Z\", \"kind\": \"queued\", \"follow_up\": \"welcome\", "
                + "\"type\": \"email\"}, {\"at\": \"2026-03-02T09:00:01Z\", \"kind\": \"sent\", \"follow_up\": \"welcome\"}, "
                + "{\"at\": \"2026-03-02T10:00:00Z\", \"kind\": \"opened\", \"follow_up\": \"welcome\", \"note\": \"Zoë's reply — ünïcode\"}], \"big\": 12345678901234}");
    }

    private static UUID cadence(TestDb db, JdbcCadenceStore s) {
        UUID id = UUID.randomUUID();
        db.store().transactor().run(() -> s.insertCadence(new CadenceStore.StoredCadence(id, db.admin().orgId(), "C " + id, "Leads",
                Json.object(), 1, 1, T, T, false)));
        return id;
    }

    private static CadenceStore.Enrollment enrollment(TestDb db, UUID cadence, UUID record, String status, Instant endedAt) {
        return new CadenceStore.Enrollment(UUID.randomUUID(), db.admin().orgId(), cadence, 1, "Leads", record, record.toString(), status,
                endedAt == null ? null : "exhausted", state(), 0, T, endedAt);
    }

    @BothDatabases
    void theStateReadsBackExactlyAndTakesAFractionOfItsJson(TestDb db) {
        ObjectNode state = state();
        byte[] packed = EnrollmentState.pack(state);
        assertThat(EnrollmentState.unpack(packed)).isEqualTo(state);
        assertThat(Json.write(EnrollmentState.unpack(packed))).isEqualTo(Json.write(state));
        assertThat(packed.length).isLessThan(Json.write(state).length() / 2);
        packed[0] = 9;
        assertThatThrownBy(() -> EnrollmentState.unpack(packed)).hasMessageContaining("format");

        JdbcCadenceStore s = store(db);
        UUID cadence = cadence(db, s);
        CadenceStore.Enrollment e = enrollment(db, cadence, UUID.randomUUID(), "active", null);
        db.store().transactor().run(() -> s.insertEnrollments(List.of(e)));
        CadenceStore.Enrollment read = db.store().transactor().inTransaction(() -> s.findEnrollment(db.admin().orgId(), e.id())).orElseThrow();
        assertThat(read.state()).isEqualTo(state);
        assertThat(read).isEqualTo(e);
    }

    @BothDatabases
    void oneLiveEnrollmentPerRecordAndCadenceWhileEndedOnesRepeat(TestDb db) {
        JdbcCadenceStore s = store(db);
        UUID cadence = cadence(db, s);
        UUID other = cadence(db, s);
        UUID record = UUID.randomUUID();
        CadenceStore.Enrollment first = enrollment(db, cadence, record, "active", null);
        assertThat(db.store().transactor().inTransaction(() -> s.insertEnrollment(first))).isTrue();
        assertThat(db.store().transactor().inTransaction(() -> s.insertEnrollment(enrollment(db, cadence, record, "active", null)))).isFalse();
        assertThat(db.store().transactor().inTransaction(() -> s.insertEnrollment(enrollment(db, other, record, "active", null)))).isTrue();
        // A batch that skipped the check still cannot add a second live one: the index refuses it and nothing of the batch stays.
        CadenceStore.Enrollment bystander = enrollment(db, cadence, UUID.randomUUID(), "active", null);
        assertThatThrownBy(() -> db.store().transactor().run(() -> s.insertEnrollments(List.of(bystander, enrollment(db, cadence, record, "paused", null)))))
                .isInstanceOf(RuntimeException.class);
        assertThat(db.store().transactor().inTransaction(() -> s.findEnrollment(db.admin().orgId(), bystander.id()))).isEmpty();

        // Ended ones may repeat; the record can enter again once its live one ended.
        CadenceStore.Enrollment ended = new CadenceStore.Enrollment(first.id(), first.orgId(), cadence, 1, "Leads", record, first.subject(), "ended",
                "exhausted", first.state(), 1, T, T.plusSeconds(60));
        assertThat(db.store().transactor().inTransaction(() -> s.updateEnrollments(List.of(ended), List.of(0L)))).isEmpty();
        assertThat(db.store().transactor().inTransaction(() -> s.updateEnrollments(List.of(ended), List.of(0L)))).containsExactly(first.id());
        CadenceStore.Enrollment second = enrollment(db, cadence, record, "ended", T.plusSeconds(120));
        CadenceStore.Enrollment third = enrollment(db, cadence, record, "active", null);
        db.store().transactor().run(() -> s.insertEnrollments(List.of(second, third)));
        List<CadenceStore.Enrollment> all = db.store().transactor().inTransaction(() -> s.enrollmentsOf(db.admin().orgId(), cadence, List.of(record, UUID.randomUUID())))
                .get(record);
        assertThat(all).extracting(CadenceStore.Enrollment::id).containsExactly(third.id(), second.id(), first.id());
        assertThat(db.store().transactor().inTransaction(() -> s.liveEnrollment(db.admin().orgId(), cadence, record))).get()
                .extracting(CadenceStore.Enrollment::id).isEqualTo(third.id());
        assertThat(db.store().transactor().inTransaction(() -> s.endedEnrollments(db.admin().orgId(), cadence, record)))
                .extracting(CadenceStore.Enrollment::id).containsExactly(second.id(), first.id());
        assertThat(db.store().transactor().inTransaction(() -> s.liveEnrollmentsOf(db.admin().orgId(), List.of(record.toString()))).get(record.toString()))
                .extracting(CadenceStore.Enrollment::id).containsExactlyInAnyOrder(third.id(), 
                        db.store().transactor().inTransaction(() -> s.liveEnrollment(db.admin().orgId(), other, record)).orElseThrow().id());
        assertThat(db.store().transactor().inTransaction(() -> s.enrollmentsById(db.admin().orgId(), List.of(first.id(), third.id()))))
                .extracting(CadenceStore.Enrollment::id).containsExactlyInAnyOrder(first.id(), third.id());
    }

    @BothDatabases
    void aRowWrittenBeforeV16IsReadFromItsJsonAndPackedAtItsNextWrite(TestDb db) throws Exception {
        JdbcCadenceStore s = store(db);
        UUID cadence = cadence(db, s);
        UUID id = UUID.randomUUID();
        UUID record = UUID.randomUUID();
        try (Connection c = db.store().dataSource().getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO cad_enrollments "
                + "(id, org_id, cadence_id, version, module, record_id, subject, status, state, revision, enrolled_at, live) "
                + "VALUES (?, ?, ?, 1, 'Leads', ?, ?, 'active', CAST(? AS JSONB), 3, ?, TRUE)")) {
            ps.setObject(1, id);
            ps.setObject(2, db.admin().orgId());
            ps.setObject(3, cadence);
            ps.setObject(4, record);
            ps.setString(5, record.toString());
            ps.setString(6, Json.write(state()));
            ps.setObject(7, java.time.OffsetDateTime.ofInstant(T, java.time.ZoneOffset.UTC));
            ps.executeUpdate();
        }
        CadenceStore.Enrollment old = db.store().transactor().inTransaction(() -> s.findEnrollment(db.admin().orgId(), id)).orElseThrow();
        assertThat(old.state()).isEqualTo(state());
        assertThat(old.revision()).isEqualTo(3);
        ObjectNode changed = old.state().deepCopy().put("next", 2);
        CadenceStore.Enrollment next = new CadenceStore.Enrollment(id, old.orgId(), cadence, 1, "Leads", record, old.subject(), "active", null, changed, 4,
                T, null);
        assertThat(db.store().transactor().inTransaction(() -> s.updateEnrollment(next, 3))).isTrue();
        try (Connection c = db.store().dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT state, packed FROM cad_enrollments WHERE id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString("state")).isNull();
                assertThat(rs.getBytes("packed")).isNotEmpty();
            }
        }
        assertThat(db.store().transactor().inTransaction(() -> s.findEnrollment(db.admin().orgId(), id)).orElseThrow().state()).isEqualTo(changed);
    }
}
