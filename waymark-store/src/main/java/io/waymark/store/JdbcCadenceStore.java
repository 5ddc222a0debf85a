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
 * by a unique index on {@code (cadence_id, record_id, live)} ({@code live} TRUE while live, NULL
 * once ended); enrollment updates are guarded by the revision, so a change made meanwhile is a
 * conflict, never a lost update. An enrollment's state is stored deflated ({@link EnrollmentState}).
 */
final class JdbcCadenceStore implements CadenceStore {
    private static final String CADENCE = "id, org_id, name, module, draft, latest, revision, created_at, modified_at, paused";
    private static final String ENROLLMENT = "id, org_id, cadence_id, version, module, record_id, subject, status, reason, state, packed, revision, enrolled_at, ended_at";
    private static final String INSERT_ENROLLMENT = "INSERT INTO cad_enrollments (id, org_id, cadence_id, version, module, record_id, subject, status, "
            + "reason, packed, revision, enrolled_at, ended_at, live) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String UPDATE_ENROLLMENT = "UPDATE cad_enrollments SET version = ?, status = ?, reason = ?, state = NULL, packed = ?, revision = ?, "
            + "ended_at = ?, live = ? WHERE id = ? AND org_id = ? AND revision = ?";

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
        return query("SELECT " + ENROLLMENT + " FROM cad_enrollments WHERE cadence_id = ? AND record_id = ? AND live = TRUE AND org_id = ?",
                JdbcCadenceStore::enrollment, cadenceId, recordId, orgId).stream().findFirst();
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

    private static Boolean live(Enrollment e) {
        return e.live() ? Boolean.TRUE : null;
    }

    private static void bindInsert(PreparedStatement ps, Enrollment e) throws SQLException {
        Object[] values = {e.id(), e.orgId(), e.cadenceId(), e.version(), e.module(), e.recordId(), e.subject(), e.status(), e.reason()};
        for (int i = 0; i < values.length; i++) {
            Columns.bind(ps, i + 1, values[i]);
        }
        ps.setBytes(10, EnrollmentState.pack(e.state()));
        Columns.bind(ps, 11, e.revision());
        Columns.bind(ps, 12, e.enrolledAt());
        Columns.bind(ps, 13, e.endedAt());
        Columns.bind(ps, 14, live(e));
    }

    private static void bindUpdate(PreparedStatement ps, Enrollment e, long expectedRevision) throws SQLException {
        Columns.bind(ps, 1, e.version());
        Columns.bind(ps, 2, e.status());
        Columns.bind(ps, 3, e.reason());
        ps.setBytes(4, EnrollmentState.pack(e.state()));
        Columns.bind(ps, 5, e.revision());
        Columns.bind(ps, 6, e.endedAt());
        Columns.bind(ps, 7, live(e));
        Columns.bind(ps, 8, e.id());
        Columns.bind(ps, 9, e.orgId());
        Columns.bind(ps, 10, expectedRevision);
    }

    @Override
    public boolean insertEnrollment(Enrollment e) {
        // Checked first so that the common refusal needs no failed statement (which would abort a PostgreSQL transaction);
        // the unique index still guards against two enrollments racing.
        if (e.live() && !query("SELECT id FROM cad_enrollments WHERE cadence_id = ? AND record_id = ? AND live = TRUE",
                rs -> rs.getObject(1, UUID.class), e.cadenceId(), e.recordId()).isEmpty()) {
            return false;
        }
        insertEnrollments(List.of(e));
        return true;
    }

    @Override
    public void insertEnrollments(List<Enrollment> es) {
        if (es.isEmpty()) {
            return;
        }
        jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement(INSERT_ENROLLMENT)) {
                for (Enrollment e : es) {
                    bindInsert(ps, e);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    @Override
    public boolean updateEnrollment(Enrollment e, long expectedRevision) {
        return jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement(UPDATE_ENROLLMENT)) {
                bindUpdate(ps, e, expectedRevision);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public List<UUID> updateEnrollments(List<Enrollment> es, List<Long> expectedRevisions) {
        if (es.isEmpty()) {
            return List.of();
        }
        return jdbc(c -> {
            List<UUID> stale = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(UPDATE_ENROLLMENT)) {
                for (int i = 0; i < es.size(); i++) {
                    bindUpdate(ps, es.get(i), expectedRevisions.get(i));
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                for (int i = 0; i < counts.length; i++) {
                    if (counts[i] == 0) {
                        stale.add(es.get(i).id());
                    }
                }
            }
            return stale;
        });
    }

    @Override
    public Map<UUID, List<Enrollment>> enrollmentsOf(UUID orgId, UUID cadenceId, java.util.Collection<UUID> recordIds) {
        Map<UUID, List<Enrollment>> out = new java.util.HashMap<>();
        List<UUID> all = new ArrayList<>(new java.util.LinkedHashSet<>(recordIds));
        for (int from = 0; from < all.size(); from += 1000) {
            List<UUID> chunk = all.subList(from, Math.min(all.size(), from + 1000));
            String sql = dialect == Dialect.POSTGRESQL
                    // One index probe per record (the LATERAL subquery with OFFSET 0 is not flattened): on a table
                    // filled moments before, without statistics, "record_id = ANY (?)" was planned as a scan of the cadence's rows.
                    ? "SELECT " + prefixed("e") + " FROM UNNEST(CAST(? AS UUID ARRAY)) AS t(r) CROSS JOIN LATERAL (SELECT " + ENROLLMENT
                    + " FROM cad_enrollments WHERE cadence_id = ? AND record_id = t.r OFFSET 0) e WHERE e.org_id = ? "
                    + "ORDER BY e.ended_at DESC NULLS FIRST, e.id DESC"
                    : "SELECT " + prefixed("e") + " FROM UNNEST(CAST(? AS UUID ARRAY)) AS t(r) JOIN cad_enrollments e ON e.cadence_id = ? AND e.record_id = t.r "
                    + "WHERE e.org_id = ? ORDER BY e.ended_at DESC NULLS FIRST, e.id DESC";
            jdbc(c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    java.sql.Array array = c.createArrayOf(dialect == Dialect.POSTGRESQL ? "uuid" : "UUID", chunk.toArray());
                    ps.setArray(1, array);
                    ps.setObject(2, cadenceId);
                    ps.setObject(3, orgId);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Enrollment e = enrollment(rs);
                            out.computeIfAbsent(e.recordId(), k -> new ArrayList<>()).add(e);
                        }
                    }
                }
                return null;
            });
        }
        return out;
    }

    @Override
    public List<Enrollment> enrollmentsById(UUID orgId, java.util.Collection<UUID> ids) {
        List<Enrollment> out = new ArrayList<>();
        List<UUID> all = new ArrayList<>(new java.util.LinkedHashSet<>(ids));
        for (int from = 0; from < all.size(); from += 1000) {
            List<UUID> chunk = all.subList(from, Math.min(all.size(), from + 1000));
            // By primary key: the plan needs no statistics (a fresh table's subject look-up may scan it).
            String sql = dialect == Dialect.POSTGRESQL
                    ? "SELECT " + ENROLLMENT + " FROM cad_enrollments WHERE id = ANY (?) AND org_id = ?"
                    : "SELECT " + prefixed("e") + " FROM UNNEST(CAST(? AS UUID ARRAY)) AS t(i) JOIN cad_enrollments e ON e.id = t.i WHERE e.org_id = ?";
            jdbc(c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setArray(1, c.createArrayOf(dialect == Dialect.POSTGRESQL ? "uuid" : "UUID", chunk.toArray()));
                    ps.setObject(2, orgId);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.add(enrollment(rs));
                        }
                    }
                }
                return null;
            });
        }
        return out;
    }

    private static String prefixed(String alias) {
        return java.util.Arrays.stream(ENROLLMENT.split(", ")).map(col -> alias + "." + col).collect(java.util.stream.Collectors.joining(", "));
    }

    @Override
    public Map<String, List<Enrollment>> liveEnrollmentsOf(UUID orgId, java.util.Collection<String> subjects) {
        Map<String, List<Enrollment>> out = new java.util.HashMap<>();
        List<String> all = new ArrayList<>(new java.util.LinkedHashSet<>(subjects));
        for (int from = 0; from < all.size(); from += 500) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + 500));
            // One array parameter; on PostgreSQL one index probe per subject (the LATERAL subquery with OFFSET 0 is not
            // flattened; "subject = ANY (?)" on a fresh table was planned as a scan of the organisation's rows), on H2 a join.
            String sql = dialect == Dialect.POSTGRESQL
                    ? "SELECT " + prefixed("e") + " FROM UNNEST(CAST(? AS VARCHAR ARRAY)) AS t(s) CROSS JOIN LATERAL (SELECT " + ENROLLMENT
                    + " FROM cad_enrollments WHERE org_id = ? AND subject = t.s AND status <> 'ended' OFFSET 0) e ORDER BY e.id"
                    : "SELECT " + prefixed("e") + " FROM UNNEST(CAST(? AS VARCHAR(200) ARRAY)) AS t(s) JOIN cad_enrollments e ON e.subject = t.s "
                    + "WHERE e.org_id = ? AND e.status <> 'ended' ORDER BY e.id";
            jdbc(c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setArray(1, Columns.array(c, "varchar", chunk.toArray()));
                    ps.setObject(2, orgId);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Enrollment e = enrollment(rs);
                            out.computeIfAbsent(e.subject(), k -> new ArrayList<>()).add(e);
                        }
                    }
                }
                return null;
            });
        }
        return out;
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

    /** The packed state, or the JSON of a row last written before migration V16. */
    private static ObjectNode state(ResultSet rs) throws SQLException {
        byte[] packed = rs.getBytes("packed");
        return packed != null ? EnrollmentState.unpack(packed) : json(rs.getString("state"));
    }

    private static Enrollment enrollment(ResultSet rs) throws SQLException {
        return new Enrollment(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class), rs.getObject("cadence_id", UUID.class),
                rs.getInt("version"), rs.getString("module"), rs.getObject("record_id", UUID.class), rs.getString("subject"), rs.getString("status"),
                rs.getString("reason"), state(rs), rs.getLong("revision"), Columns.instant(rs, "enrolled_at"),
                Columns.instant(rs, "ended_at"));
    }
}
