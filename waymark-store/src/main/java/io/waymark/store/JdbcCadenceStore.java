package io.waymark.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.cadence.CadenceStore;
import io.waymark.json.Json;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Cadences, versions and enrollments. At most one live enrollment per record per cadence is kept
 * by a unique index on {@code active_key} (set while live, NULL once ended); enrollment updates
 * are guarded by the revision, so a change made meanwhile is a conflict, never a lost update.
 */
final class JdbcCadenceStore implements CadenceStore {
    private static final String CADENCE = "id, org_id, name, module, draft, latest, revision, created_at, modified_at, paused";
    private static final String ENROLLMENT = "id, org_id, cadence_id, version, module, record_id, subject, status, reason, state, revision, enrolled_at, ended_at";

    private final JdbcTransactor tx;
    private final Dialect dialect;

    JdbcCadenceStore(JdbcTransactor tx, Dialect dialect) {
        this.tx = tx;
        this.dialect = dialect;
    }

    private <T> T jdbc(JdbcTransactor.ConnectionWork<T> work) {
        return tx.jdbc(work);
    }

    private int update(String sql, Object... params) {
        return jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    Columns.bind(ps, i + 1, params[i]);
                }
                return ps.executeUpdate();
            }
        });
    }

    private interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> List<T> query(String sql, Row<T> row, Object... params) {
        return jdbc(c -> {
            List<T> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    Columns.bind(ps, i + 1, params[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row.read(rs));
                    }
                }
            }
            return out;
        });
    }

    private static ObjectNode json(String s) {
        com.fasterxml.jackson.databind.JsonNode n = Json.read(s);
        if (n.isTextual()) {
            n = Json.read(n.textValue());
        }
        return (ObjectNode) n;
    }

    @Override
    public void insertCadence(StoredCadence c) {
        update("INSERT INTO cad_cadences (" + CADENCE + ") VALUES (?, ?, ?, ?, CAST(? AS JSONB), ?, ?, ?, ?, ?)", c.id(), c.orgId(), c.name(), c.module(),
                Json.write(c.draft()), c.latest(), c.revision(), c.createdAt(), c.modifiedAt(), c.paused());
    }

    @Override
    public boolean updateCadence(StoredCadence c, long expectedRevision) {
        return update("UPDATE cad_cadences SET name = ?, draft = CAST(? AS JSONB), latest = ?, revision = ?, modified_at = ? "
                + "WHERE id = ? AND org_id = ? AND revision = ?", c.name(), Json.write(c.draft()), c.latest(), c.revision(), c.modifiedAt(),
                c.id(), c.orgId(), expectedRevision) == 1;
    }

    @Override
    public Optional<StoredCadence> findCadence(UUID orgId, UUID id) {
        return query("SELECT " + CADENCE + " FROM cad_cadences WHERE id = ? AND org_id = ?", JdbcCadenceStore::cadence, id, orgId).stream().findFirst();
    }

    @Override
    public List<StoredCadence> cadences(UUID orgId) {
        return query("SELECT " + CADENCE + " FROM cad_cadences WHERE org_id = ? ORDER BY created_at, id", JdbcCadenceStore::cadence, orgId);
    }

    @Override
    public List<StoredCadence> published(UUID orgId) {
        return query("SELECT " + CADENCE + " FROM cad_cadences WHERE org_id = ? AND latest > 0 ORDER BY created_at, id", JdbcCadenceStore::cadence, orgId);
    }

    @Override
    public boolean setPaused(UUID orgId, UUID cadenceId, boolean paused) {
        return update("UPDATE cad_cadences SET paused = ? WHERE id = ? AND org_id = ? AND paused <> ?", paused, cadenceId, orgId, paused) == 1;
    }

    @Override
    public Optional<Enrollment> liveEnrollment(UUID orgId, UUID cadenceId, UUID recordId) {
        return query("SELECT " + ENROLLMENT + " FROM cad_enrollments WHERE active_key = ? AND org_id = ?", JdbcCadenceStore::enrollment,
                cadenceId + "|" + recordId, orgId).stream().findFirst();
    }

    @Override
    public List<Enrollment> endedEnrollments(UUID orgId, UUID cadenceId, UUID recordId) {
        return query("SELECT " + ENROLLMENT + " FROM cad_enrollments WHERE cadence_id = ? AND record_id = ? AND org_id = ? AND status = 'ended' "
                + "ORDER BY ended_at DESC, id DESC", JdbcCadenceStore::enrollment, cadenceId, recordId, orgId);
    }

    @Override
    public boolean countSend(UUID orgId, UUID sender, java.time.LocalDate day, int limit) {
        if (update("UPDATE cad_send_counts SET sent = sent + 1 WHERE org_id = ? AND sender = ? AND send_day = ? AND sent < ?", orgId, sender, day, limit) == 1) {
            return true;
        }
        if (!query("SELECT sent FROM cad_send_counts WHERE org_id = ? AND sender = ? AND send_day = ?", rs -> rs.getInt(1), orgId, sender, day).isEmpty()) {
            return false;
        }
        // The first email of the day; a concurrent first insert fails on the key and its transaction is retried.
        update("INSERT INTO cad_send_counts (org_id, sender, send_day, sent) VALUES (?, ?, ?, 1)", orgId, sender, day);
        return limit >= 1;
    }

    private static StoredCadence cadence(ResultSet rs) throws SQLException {
        return new StoredCadence(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class), rs.getString("name"), rs.getString("module"),
                json(rs.getString("draft")), rs.getInt("latest"), rs.getLong("revision"), Columns.instant(rs, "created_at"),
                Columns.instant(rs, "modified_at"), rs.getBoolean("paused"));
    }

    @Override
    public void insertVersion(StoredVersion v) {
        update("INSERT INTO cad_versions (cadence_id, version, org_id, definition, published_at) VALUES (?, ?, ?, CAST(? AS JSONB), ?)",
                v.cadenceId(), v.version(), v.orgId(), Json.write(v.definition()), v.publishedAt());
    }

    @Override
    public Optional<StoredVersion> findVersion(UUID orgId, UUID cadenceId, int version) {
        return query("SELECT cadence_id, version, org_id, definition, published_at FROM cad_versions WHERE cadence_id = ? AND version = ? AND org_id = ?",
                rs -> new StoredVersion(rs.getObject("cadence_id", UUID.class), rs.getInt("version"), rs.getObject("org_id", UUID.class),
                        json(rs.getString("definition")), Columns.instant(rs, "published_at")), cadenceId, version, orgId).stream().findFirst();
    }

    private static String activeKey(Enrollment e) {
        return e.live() ? e.cadenceId() + "|" + e.recordId() : null;
    }

    @Override
    public boolean insertEnrollment(Enrollment e) {
        // Checked first so that the common refusal needs no failed statement (which would abort a PostgreSQL transaction);
        // the unique index still guards against two enrollments racing.
        if (!query("SELECT id FROM cad_enrollments WHERE active_key = ?", rs -> rs.getObject(1, UUID.class), activeKey(e)).isEmpty()) {
            return false;
        }
        update("INSERT INTO cad_enrollments (" + ENROLLMENT + ", active_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS JSONB), ?, ?, ?, ?)",
                e.id(), e.orgId(), e.cadenceId(), e.version(), e.module(), e.recordId(), e.subject(), e.status(), e.reason(), Json.write(e.state()),
                e.revision(), e.enrolledAt(), e.endedAt(), activeKey(e));
        return true;
    }

    @Override
    public boolean updateEnrollment(Enrollment e, long expectedRevision) {
        return update("UPDATE cad_enrollments SET version = ?, status = ?, reason = ?, state = CAST(? AS JSONB), revision = ?, ended_at = ?, active_key = ? "
                + "WHERE id = ? AND org_id = ? AND revision = ?", e.version(), e.status(), e.reason(), Json.write(e.state()), e.revision(), e.endedAt(),
                activeKey(e), e.id(), e.orgId(), expectedRevision) == 1;
    }

    @Override
    public Optional<Enrollment> findEnrollment(UUID orgId, UUID id) {
        return query("SELECT " + ENROLLMENT + " FROM cad_enrollments WHERE id = ? AND org_id = ?", JdbcCadenceStore::enrollment, id, orgId)
                .stream().findFirst();
    }

    @Override
    public List<Enrollment> liveEnrollments(UUID orgId, String subject) {
        return query("SELECT " + ENROLLMENT + " FROM cad_enrollments WHERE org_id = ? AND subject = ? AND status <> 'ended' ORDER BY id",
                JdbcCadenceStore::enrollment, orgId, subject);
    }

    @Override
    public java.util.Set<String> subjectsWithLiveEnrollments(UUID orgId, java.util.Collection<String> subjects) {
        java.util.Set<String> out = new java.util.HashSet<>();
        List<String> all = new ArrayList<>(subjects);
        for (int from = 0; from < all.size(); from += 500) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + 500));
            // As JdbcJourneyStore.instancesOf: one array parameter; on H2 a join on the unnested
            // array, so that the subject index is used rather than an IN list checked row by row.
            String sql = dialect == Dialect.POSTGRESQL
                    ? "SELECT DISTINCT subject FROM cad_enrollments WHERE org_id = ? AND subject = ANY (?) AND status <> 'ended'"
                    : "SELECT DISTINCT e.subject FROM UNNEST(CAST(? AS VARCHAR(200) ARRAY)) AS t(s) JOIN cad_enrollments e ON e.subject = t.s "
                    + "WHERE e.org_id = ? AND e.status <> 'ended'";
            out.addAll(jdbc(c -> {
                List<String> rows = new ArrayList<>();
                try (java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
                    java.sql.Array array = c.createArrayOf("varchar", chunk.toArray());
                    if (dialect == Dialect.POSTGRESQL) {
                        ps.setObject(1, orgId);
                        ps.setArray(2, array);
                    } else {
                        ps.setArray(1, array);
                        ps.setObject(2, orgId);
                    }
                    try (java.sql.ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            rows.add(rs.getString(1));
                        }
                    }
                }
                return rows;
            }));
        }
        return out;
    }

    @Override
    public List<Enrollment> enrollments(UUID orgId, UUID cadenceId, String status, UUID after, int limit) {
        List<Object> params = new ArrayList<>(List.of(orgId, cadenceId));
        StringBuilder sql = new StringBuilder("SELECT " + ENROLLMENT + " FROM cad_enrollments WHERE org_id = ? AND cadence_id = ?");
        if (status != null) {
            sql.append(" AND status = ?");
            params.add(status);
        }
        if (after != null) {
            sql.append(" AND id > ?");
            params.add(after);
        }
        sql.append(" ORDER BY id LIMIT ").append(Math.max(1, Math.min(limit, 1000)));
        return query(sql.toString(), JdbcCadenceStore::enrollment, params.toArray());
    }

    @Override
    public Map<String, Long> counts(UUID orgId, UUID cadenceId) {
        Map<String, Long> out = new LinkedHashMap<>();
        query("SELECT status, reason, COUNT(*) AS n FROM cad_enrollments WHERE org_id = ? AND cadence_id = ? GROUP BY status, reason", rs -> {
            String status = rs.getString("status");
            String key = status.equals("ended") ? "ended:" + rs.getString("reason") : status;
            out.merge(key, rs.getLong("n"), Long::sum);
            return null;
        }, orgId, cadenceId);
        return out;
    }

    private static Enrollment enrollment(ResultSet rs) throws SQLException {
        return new Enrollment(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class), rs.getObject("cadence_id", UUID.class),
                rs.getInt("version"), rs.getString("module"), rs.getObject("record_id", UUID.class), rs.getString("subject"), rs.getString("status"),
                rs.getString("reason"), json(rs.getString("state")), rs.getLong("revision"), Columns.instant(rs, "enrolled_at"),
                Columns.instant(rs, "ended_at"));
    }
}
