package io.waymark.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.waymark.action.OutboxEntry;
import io.waymark.action.OutboxStore;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * An operator's list of one status among an organisation's many finished entries: the failed
 * entries come back newest first, page by page, and the list reads them, not the history (on H2
 * counted with {@code EXPLAIN ANALYZE}; on PostgreSQL the plan takes the partial index of failed
 * entries).
 */
class OutboxListTest {
    static final int DONE = 3_000;
    static final UUID RECORD = UUID.randomUUID();

    @BothDatabases
    void failedEntriesAreListedNewestFirstWithoutReadingTheHistory(TestDb db) throws Exception {
        Dialect dialect = db.kind().equals("h2") ? Dialect.H2 : Dialect.POSTGRESQL;
        JdbcOutboxStore store = new JdbcOutboxStore((JdbcTransactor) db.store().transactor(), dialect);
        Instant now = TestDb.START;
        List<OutboxEntry> all = new ArrayList<>();
        List<OutboxEntry> failed = new ArrayList<>();
        for (int i = 0; i < DONE; i++) {
            all.add(OutboxClaimTest.entry(db, i % 2 == 0, OutboxEntry.Status.DONE, now.minusSeconds(DONE - i)));
            if (i % 1000 == 500) {
                // Ids as the outbox gives them (time-ordered), so that newest first is a known order.
                OutboxEntry e = OutboxClaimTest.entry(db, false, OutboxEntry.Status.FAILED, now.minus(Duration.ofMinutes(1)));
                // The middle one belongs to a record.
                UUID record = i == 1500 ? RECORD : null;
                OutboxEntry f = new OutboxEntry(io.waymark.Ids.next(java.time.Clock.fixed(now.plusSeconds(i), java.time.ZoneOffset.UTC)), e.orgId(),
                        e.source(), e.type(), e.config(), record == null ? null : "Leads", record, e.subject(), e.actorId(), e.transactional(), e.status(),
                        e.attempts(), e.maxAttempts(), e.nextAttemptAt(), "refused", null, null, e.depth(), e.createdAt(), e.updatedAt());
                all.add(f);
                failed.add(0, f);
            }
        }
        store.insert(all);
        try {
            check(db, dialect, store, failed);
        } finally {
            try (Connection c = db.store().dataSource().getConnection();
                    PreparedStatement ps = c.prepareStatement("DELETE FROM outbox_entries WHERE org_id = ?")) {
                ps.setObject(1, db.admin().orgId());
                ps.executeUpdate();
            }
        }
    }

    private static void check(TestDb db, Dialect dialect, JdbcOutboxStore store, List<OutboxEntry> failed) throws Exception {

        OutboxStore.OutboxPage first = store.list(db.admin().orgId(), new OutboxStore.OutboxQuery(OutboxEntry.Status.FAILED, null, null, 2, null));
        assertThat(first.entries()).extracting(OutboxEntry::id).containsExactly(failed.get(0).id(), failed.get(1).id());
        assertThat(first.next()).isNotNull();
        OutboxStore.OutboxPage second = store.list(db.admin().orgId(), new OutboxStore.OutboxQuery(OutboxEntry.Status.FAILED, null, null, 2, first.next()));
        assertThat(second.entries()).extracting(OutboxEntry::id).containsExactly(failed.get(2).id());
        assertThat(second.next()).isNull();
        assertThat(store.list(db.admin().orgId(), new OutboxStore.OutboxQuery(OutboxEntry.Status.DONE, null, null, 5, null)).entries())
                .hasSize(5).allSatisfy(e -> assertThat(e.status()).isEqualTo(OutboxEntry.Status.DONE));

        // Narrowed to a record or a source, with a status.
        assertThat(store.list(db.admin().orgId(), new OutboxStore.OutboxQuery(OutboxEntry.Status.FAILED, null, RECORD, 10, null)).entries())
                .extracting(OutboxEntry::id).containsExactly(failed.get(1).id());
        assertThat(store.list(db.admin().orgId(), new OutboxStore.OutboxQuery(OutboxEntry.Status.FAILED, "test:claim", null, 10, null)).entries())
                .extracting(OutboxEntry::id).containsExactlyElementsOf(failed.stream().map(OutboxEntry::id).toList());

        String sql = JdbcOutboxStore.listSql(dialect, OutboxEntry.Status.FAILED, false) + " ORDER BY id DESC LIMIT ?";
        try (Connection c = db.store().dataSource().getConnection()) {
            if (dialect == Dialect.H2) {
                // The failed entries of every organisation on the database at most (other tests leave some), not this one's history.
                long failedEverywhere;
                try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM outbox_entries WHERE status = 'failed'"); ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    failedEverywhere = rs.getLong(1);
                }
                assertThat(failedEverywhere).isLessThan(DONE / 10);
                assertThat(OutboxClaimTest.rowsRead(c, sql, db.admin().orgId(), 3)).isLessThanOrEqualTo(failedEverywhere + 1);
                // With a record, the record's index: its entries, not every failed one.
                String byRecord = JdbcOutboxStore.listSql(dialect, OutboxEntry.Status.FAILED, true) + " AND record_id = ? ORDER BY id DESC LIMIT ?";
                assertThat(OutboxClaimTest.rowsRead(c, byRecord, db.admin().orgId(), RECORD, 3)).isLessThanOrEqualTo(2);
            } else {
                // The plan PostgreSQL keeps for a prepared statement after a few runs is a generic
                // one, made without the parameters' values: it must take the index too.
                String prepared = sql.replaceFirst("\\?", "\\$1").replaceFirst("\\?", "\\$2");
                StringBuilder plan = new StringBuilder();
                try (java.sql.Statement st = c.createStatement()) {
                    st.execute("SET plan_cache_mode = force_generic_plan");
                    st.execute("PREPARE waymark_failed_list(UUID, INT) AS " + prepared);
                    try (ResultSet rs = st.executeQuery("EXPLAIN EXECUTE waymark_failed_list('" + db.admin().orgId() + "', 3)")) {
                        while (rs.next()) {
                            plan.append(rs.getString(1)).append('\n');
                        }
                    } finally {
                        st.execute("DEALLOCATE waymark_failed_list");
                        st.execute("RESET plan_cache_mode");
                    }
                }
                assertThat(plan.toString()).contains("outbox_entries_failed");
            }
        }
    }
}
