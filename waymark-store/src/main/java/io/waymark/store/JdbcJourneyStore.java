package io.waymark.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.error.ConflictException;
import io.waymark.journey.JourneyStore;
import io.waymark.json.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Journeys, versions, instances, paths and action counters. The runner's writes are JDBC
 * batches (one round trip per kind per dispatcher batch); instance updates are guarded by the
 * step count, so a move made meanwhile by another writer is a conflict, never a lost update.
 */
final class JdbcJourneyStore implements JourneyStore {
    private static final String JOURNEY = "id, org_id, name, status, draft, latest, revision, created_at, modified_at";
    private static final String VERSION = "journey_id, version, org_id, definition, published_at, published_by";
    private static final String INSTANCE = "id, org_id, journey_id, version, subject, state, status, module, record_id, visit, entered_at, started_at, ended_at";
    private static final String STEP = "instance_id, n, org_id, journey_id, version, kind, from_state, to_state, via, signal_id, signal_type, actor_id, at, detail";
    /** Subjects per lookup statement: PostgreSQL and H2 take far more, but plans stay cheap at this size. */
    private static final int CHUNK = 500;

    private final JdbcTransactor tx;
    private final Dialect dialect;

    JdbcJourneyStore(JdbcTransactor tx, Dialect dialect) {
        this.tx = tx;
        this.dialect = dialect;
    }

    private <T> T jdbc(JdbcTransactor.ConnectionWork<T> work) {
        return tx.jdbc(work);
    }

    private static void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Columns.bind(ps, i + 1, params[i]);
        }
    }

    private int update(String sql, Object... params) {
        return jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(ps, params);
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
                bind(ps, params);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row.read(rs));
                    }
                }
            }
            return out;
        });
    }

    // ------------------------------------------------------------------ journeys

    @Override
    public void insertJourney(StoredJourney j) {
        update("INSERT INTO jr_journeys (" + JOURNEY + ") VALUES (?, ?, ?, ?, CAST(? AS JSONB), ?, ?, ?, ?)", j.id(), j.orgId(), j.name(),
                j.status(), Json.write(j.draft()), j.latest(), j.revision(), j.createdAt(), j.modifiedAt());
    }

    @Override
    public boolean updateJourney(StoredJourney j, long expectedRevision) {
        return update("UPDATE jr_journeys SET name = ?, status = ?, draft = CAST(? AS JSONB), latest = ?, revision = ?, modified_at = ? "
                + "WHERE id = ? AND org_id = ? AND revision = ?", j.name(), j.status(), Json.write(j.draft()), j.latest(), j.revision(),
                j.modifiedAt(), j.id(), j.orgId(), expectedRevision) == 1;
    }

    @Override
    public boolean deleteJourney(UUID orgId, UUID id) {
        return update("DELETE FROM jr_journeys WHERE id = ? AND org_id = ?", id, orgId) == 1;
    }

    @Override
    public Optional<StoredJourney> findJourney(UUID orgId, UUID id) {
        return query("SELECT " + JOURNEY + " FROM jr_journeys WHERE id = ? AND org_id = ?", JdbcJourneyStore::journey, id, orgId).stream().findFirst();
    }

    @Override
    public List<StoredJourney> journeys(UUID orgId) {
        return query("SELECT " + JOURNEY + " FROM jr_journeys WHERE org_id = ? ORDER BY created_at, id", JdbcJourneyStore::journey, orgId);
    }

    @Override
    public List<StoredJourney> published(UUID orgId) {
        return query("SELECT " + JOURNEY + " FROM jr_journeys WHERE org_id = ? AND latest > 0 ORDER BY created_at, id", JdbcJourneyStore::journey, orgId);
    }

    private static StoredJourney journey(ResultSet rs) throws SQLException {
        return new StoredJourney(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class), rs.getString("name"), rs.getString("status"),
                json(rs.getString("draft")), rs.getInt("latest"), rs.getLong("revision"), Columns.instant(rs, "created_at"),
                Columns.instant(rs, "modified_at"));
    }

    @Override
    public void insertVersion(StoredVersion v) {
        update("INSERT INTO jr_versions (" + VERSION + ") VALUES (?, ?, ?, CAST(? AS JSONB), ?, ?)", v.journeyId(), v.version(), v.orgId(),
                Json.write(v.definition()), v.publishedAt(), v.publishedBy());
    }

    @Override
    public Optional<StoredVersion> findVersion(UUID orgId, UUID journeyId, int version) {
        return query("SELECT " + VERSION + " FROM jr_versions WHERE journey_id = ? AND version = ? AND org_id = ?", JdbcJourneyStore::version,
                journeyId, version, orgId).stream().findFirst();
    }

    @Override
    public List<StoredVersion> versions(UUID orgId, UUID journeyId) {
        return query("SELECT " + VERSION + " FROM jr_versions WHERE journey_id = ? AND org_id = ? ORDER BY version", JdbcJourneyStore::version,
                journeyId, orgId);
    }

    private static StoredVersion version(ResultSet rs) throws SQLException {
        return new StoredVersion(rs.getObject("journey_id", UUID.class), rs.getInt("version"), rs.getObject("org_id", UUID.class),
                json(rs.getString("definition")), Columns.instant(rs, "published_at"), rs.getObject("published_by", UUID.class));
    }

    // ------------------------------------------------------------------ instances

    @Override
    public List<Instance> instancesOf(UUID orgId, Collection<String> subjects) {
        List<Instance> out = new ArrayList<>();
        List<String> all = new ArrayList<>(subjects);
        for (int from = 0; from < all.size(); from += CHUNK) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + CHUNK));
            // One array parameter: one plan for any batch size, one index probe per subject. On H2
            // an IN list of 500 values is checked row by row; a join on an unnested array walks the
            // subject index. On PostgreSQL "org_id = ? AND subject = ANY (?)" on a table filled
            // moments before (no statistics yet: a fresh install, a journey just published) was
            // planned as a bitmap scan of the whole organisation filtered by subject, 60 ms per
            // dispatcher batch at 20,000 instances; the LATERAL probe (OFFSET 0 keeps it from being
            // flattened) is an equality on both index columns, which every plan takes.
            String sql = dialect == Dialect.POSTGRESQL
                    ? "SELECT " + INSTANCE.replaceAll("(\\w+)", "i.$1") + " FROM UNNEST(CAST(? AS VARCHAR ARRAY)) AS t(s) CROSS JOIN LATERAL (SELECT "
                    + INSTANCE + " FROM jr_instances WHERE org_id = ? AND subject = t.s OFFSET 0) i"
                    : "SELECT " + INSTANCE.replaceAll("(\\w+)", "i.$1") + " FROM UNNEST(CAST(? AS VARCHAR(200) ARRAY)) AS t(s) "
                    + "JOIN jr_instances i ON i.subject = t.s WHERE i.org_id = ?";
            out.addAll(jdbc(c -> {
                List<Instance> rows = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setArray(1, Columns.array(c, "varchar", chunk.toArray()));
                    ps.setObject(2, orgId);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            rows.add(instance(rs));
                        }
                    }
                }
                return rows;
            }));
        }
        out.sort(java.util.Comparator.comparing(Instance::startedAt).thenComparing(Instance::id));
        return out;
    }

    @Override
    public Optional<Instance> findInstance(UUID orgId, UUID id) {
        return query("SELECT " + INSTANCE + " FROM jr_instances WHERE id = ? AND org_id = ?", JdbcJourneyStore::instance, id, orgId).stream().findFirst();
    }

    @Override
    public void saveInstances(List<Instance> inserted, List<InstanceUpdate> updated) {
        jdbc(c -> {
            if (!inserted.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO jr_instances (" + INSTANCE + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    for (Instance i : inserted) {
                        bind(ps, i.id(), i.orgId(), i.journeyId(), i.version(), i.subject(), i.state(), i.status(), i.module(), i.recordId(),
                                i.visit(), i.enteredAt(), i.startedAt(), i.endedAt());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            if (!updated.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE jr_instances SET version = ?, state = ?, status = ?, module = ?, record_id = ?, "
                        + "visit = ?, entered_at = ?, ended_at = ? WHERE id = ? AND visit = ?")) {
                    for (InstanceUpdate u : updated) {
                        Instance i = u.instance();
                        bind(ps, i.version(), i.state(), i.status(), i.module(), i.recordId(), i.visit(), i.enteredAt(), i.endedAt(), i.id(),
                                u.expectedVisit());
                        ps.addBatch();
                    }
                    int[] counts = ps.executeBatch();
                    for (int k = 0; k < counts.length; k++) {
                        if (counts[k] == 0) {
                            throw new ConflictException("Journey instance " + updated.get(k).instance().id() + " moved meanwhile; try again");
                        }
                    }
                }
            }
            return null;
        });
    }

    /**
     * On PostgreSQL, the updated instances and the path lines in one statement (data-modifying
     * CTEs over arrays, the update joined on the primary key and still conditional on the visit
     * that was read; the ids it returns are the rows it changed): one round trip instead of two in
     * every dispatcher pass that moves instances. New instances (entries) are written first, as
     * {@link #saveInstances} writes them.
     */
    @Override
    public void saveInstancesAndSteps(List<Instance> inserted, List<InstanceUpdate> updated, List<Step> steps) {
        if (dialect != Dialect.POSTGRESQL || updated.isEmpty() || steps.isEmpty()
                || updated.stream().map(u -> u.instance().id()).distinct().count() != updated.size()) {
            saveInstances(inserted, updated);
            insertSteps(steps);
            return;
        }
        saveInstances(inserted, List.of());
        jdbc(c -> {
            Object[][] u = Columns.arrays(updated, 10, x -> {
                Instance i = x.instance();
                return new Object[] {i.id(), x.expectedVisit(), i.version(), i.state(), i.status(), i.module(), i.recordId(), i.visit(),
                        Columns.timestampText(i.enteredAt()), Columns.timestampText(i.endedAt())};
            });
            Object[][] st = Columns.arrays(steps, 14, x -> new Object[] {x.instanceId(), x.n(), x.orgId(), x.journeyId(), x.version(), x.kind(),
                    x.fromState(), x.toState(), x.via(), x.signalId(), x.signalType(), x.actorId(), Columns.timestampText(x.at()),
                    x.detail() == null ? null : Json.write(x.detail())});
            String[] uTypes = {"uuid", "int4", "int4", "varchar", "varchar", "varchar", "uuid", "int4", "text", "text"};
            String[] sTypes = {"uuid", "int4", "uuid", "uuid", "int4", "varchar", "varchar", "varchar", "varchar", "uuid", "varchar", "uuid", "text", "text"};
            java.util.Set<UUID> changed = new java.util.HashSet<>();
            try (PreparedStatement ps = c.prepareStatement("WITH u AS (UPDATE jr_instances j SET version = v.version, state = v.state, "
                    + "status = v.status, module = v.module, record_id = v.record_id, visit = v.visit, "
                    + "entered_at = CAST(v.entered_at AS TIMESTAMPTZ), ended_at = CAST(v.ended_at AS TIMESTAMPTZ) "
                    + "FROM UNNEST(CAST(? AS UUID[]), CAST(? AS INT[]), CAST(? AS INT[]), CAST(? AS VARCHAR[]), CAST(? AS VARCHAR[]), "
                    + "CAST(? AS VARCHAR[]), CAST(? AS UUID[]), CAST(? AS INT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[])) "
                    + "AS v(id, expected, version, state, status, module, record_id, visit, entered_at, ended_at) "
                    + "WHERE j.id = v.id AND j.visit = v.expected RETURNING j.id), "
                    + "s AS (INSERT INTO jr_steps (" + STEP + ") SELECT t.instance_id, t.n, t.org_id, t.journey_id, t.version, t.kind, "
                    + "t.from_state, t.to_state, t.via, t.signal_id, t.signal_type, t.actor_id, CAST(t.at AS TIMESTAMPTZ), CAST(t.detail AS JSONB) "
                    + "FROM UNNEST(CAST(? AS UUID[]), CAST(? AS INT[]), CAST(? AS UUID[]), CAST(? AS UUID[]), CAST(? AS INT[]), "
                    + "CAST(? AS VARCHAR[]), CAST(? AS VARCHAR[]), CAST(? AS VARCHAR[]), CAST(? AS VARCHAR[]), CAST(? AS UUID[]), "
                    + "CAST(? AS VARCHAR[]), CAST(? AS UUID[]), CAST(? AS TEXT[]), CAST(? AS TEXT[])) "
                    + "AS t(instance_id, n, org_id, journey_id, version, kind, from_state, to_state, via, signal_id, signal_type, actor_id, at, detail)) "
                    + "SELECT id FROM u")) {
                Columns.bindArrays(c, ps, Columns.bindArrays(c, ps, 1, uTypes, u), sTypes, st);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        changed.add(rs.getObject(1, UUID.class));
                    }
                }
            }
            for (InstanceUpdate x : updated) {
                if (!changed.contains(x.instance().id())) {
                    throw new ConflictException("Journey instance " + x.instance().id() + " moved meanwhile; try again");
                }
            }
            return null;
        });
    }

    private static Instance instance(ResultSet rs) throws SQLException {
        return new Instance(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class), rs.getObject("journey_id", UUID.class),
                rs.getInt("version"), rs.getString("subject"), rs.getString("state"), rs.getString("status"), rs.getString("module"),
                rs.getObject("record_id", UUID.class), rs.getInt("visit"), Columns.instant(rs, "entered_at"), Columns.instant(rs, "started_at"),
                Columns.instant(rs, "ended_at"));
    }

    @Override
    public List<Instance> instances(UUID orgId, UUID journeyId, Integer version, String state, String status, UUID after, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + INSTANCE + " FROM jr_instances WHERE journey_id = ? AND org_id = ?");
        List<Object> params = new ArrayList<>(List.of(journeyId, orgId));
        if (version != null) {
            sql.append(" AND version = ?");
            params.add(version);
        }
        if (state != null) {
            sql.append(" AND state = ?");
            params.add(state);
        }
        if (status != null) {
            sql.append(" AND status = ?");
            params.add(status);
        }
        if (after != null) {
            sql.append(" AND id > ?");
            params.add(after);
        }
        sql.append(" ORDER BY id LIMIT ?");
        params.add(limit);
        return query(sql.toString(), JdbcJourneyStore::instance, params.toArray());
    }

    @Override
    public Map<Integer, Map<String, Long>> activeCounts(UUID orgId, UUID journeyId) {
        Map<Integer, Map<String, Long>> out = new TreeMap<>();
        query("SELECT version, state, COUNT(*) AS n FROM jr_instances WHERE journey_id = ? AND status = 'active' AND org_id = ? GROUP BY version, state",
                rs -> out.computeIfAbsent(rs.getInt("version"), v -> new TreeMap<>()).put(rs.getString("state"), rs.getLong("n")), journeyId, orgId);
        return out;
    }

    @Override
    public Map<String, Long> statusCounts(UUID orgId, UUID journeyId) {
        Map<String, Long> out = new TreeMap<>();
        query("SELECT status, COUNT(*) AS n FROM jr_instances WHERE journey_id = ? AND org_id = ? GROUP BY status",
                rs -> out.put(rs.getString("status"), rs.getLong("n")), journeyId, orgId);
        return out;
    }

    // ------------------------------------------------------------------ paths

    @Override
    public void insertSteps(List<Step> steps) {
        if (steps.isEmpty()) {
            return;
        }
        jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO jr_steps (" + STEP + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS JSONB))")) {
                for (Step s : steps) {
                    bind(ps, s.instanceId(), s.n(), s.orgId(), s.journeyId(), s.version(), s.kind(), s.fromState(), s.toState(), s.via(),
                            s.signalId(), s.signalType(), s.actorId(), s.at(), s.detail() == null ? null : Json.write(s.detail()));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    @Override
    public List<Step> steps(UUID orgId, UUID instanceId) {
        return query("SELECT " + STEP + " FROM jr_steps WHERE instance_id = ? AND org_id = ? ORDER BY n", JdbcJourneyStore::step, instanceId, orgId);
    }

    @Override
    public void forEachStep(UUID orgId, UUID journeyId, Integer version, Consumer<Step> sink) {
        String sql = "SELECT " + STEP + " FROM jr_steps WHERE journey_id = ? AND org_id = ?" + (version == null ? "" : " AND version = ?")
                + " ORDER BY instance_id, n";
        jdbc(c -> {
            boolean auto = c.getAutoCommit();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setFetchSize(5_000);
                if (version == null) {
                    bind(ps, journeyId, orgId);
                } else {
                    bind(ps, journeyId, orgId, version);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        sink.accept(step(rs));
                    }
                }
            }
            return auto;
        });
    }

    private static Step step(ResultSet rs) throws SQLException {
        String d = rs.getString("detail");
        return new Step(rs.getObject("instance_id", UUID.class), rs.getInt("n"), rs.getObject("org_id", UUID.class),
                rs.getObject("journey_id", UUID.class), rs.getInt("version"), rs.getString("kind"), rs.getString("from_state"),
                rs.getString("to_state"), rs.getString("via"), rs.getObject("signal_id", UUID.class), rs.getString("signal_type"),
                rs.getObject("actor_id", UUID.class), Columns.instant(rs, "at"), d == null ? null : json(d));
    }

    // ------------------------------------------------------------------ action counters

    @Override
    public void addActionStats(List<ActionStats> deltas) {
        if (deltas.isEmpty()) {
            return;
        }
        jdbc(c -> {
            // One delta per counter row (a multi-row upsert may not touch a row twice), in one
            // order for every writer, so that two batches never wait for each other's rows in a cycle.
            Map<List<Object>, ActionStats> merged = new HashMap<>();
            for (ActionStats a : deltas) {
                merged.merge(List.of(a.journeyId(), a.version(), a.actionKey()), a, (x, y) -> new ActionStats(x.journeyId(), x.version(), x.actionKey(),
                        x.actionType(), x.runs() + y.runs(), x.succeeded() + y.succeeded(), x.failed() + y.failed()));
            }
            List<ActionStats> sorted = new ArrayList<>(merged.values());
            sorted.sort(java.util.Comparator.comparing((ActionStats a) -> a.journeyId()).thenComparingInt(ActionStats::version)
                    .thenComparing(ActionStats::actionKey));
            if (dialect == Dialect.POSTGRESQL) {
                // One round trip: the dispatcher writes these in every pass that moved an instance
                // or saw an action's result, so a second statement lengthened every pass.
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO jr_action_stats (journey_id, version, action_key, org_id, action_type, "
                        + "runs, succeeded, failed) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (journey_id, version, action_key) DO UPDATE SET "
                        + "runs = jr_action_stats.runs + EXCLUDED.runs, succeeded = jr_action_stats.succeeded + EXCLUDED.succeeded, "
                        + "failed = jr_action_stats.failed + EXCLUDED.failed")) {
                    for (ActionStats a : sorted) {
                        bind(ps, a.journeyId(), a.version(), a.actionKey(), orgOf(c, a), a.actionType(), a.runs(), a.succeeded(), a.failed());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                return null;
            }
            // H2: insert the missing rows first (harmless if another writer did), then add: two batches, whatever the count.
            String insert = "MERGE INTO jr_action_stats t USING (VALUES (CAST(? AS UUID), CAST(? AS INT), CAST(? AS VARCHAR), CAST(? AS UUID), CAST(? AS VARCHAR))) "
                    + "AS s(journey_id, version, action_key, org_id, action_type) ON t.journey_id = s.journey_id AND t.version = s.version "
                    + "AND t.action_key = s.action_key WHEN NOT MATCHED THEN INSERT (journey_id, version, action_key, org_id, action_type, runs, succeeded, failed) "
                    + "VALUES (s.journey_id, s.version, s.action_key, s.org_id, s.action_type, 0, 0, 0)";
            try (PreparedStatement ps = c.prepareStatement(insert)) {
                for (ActionStats a : sorted) {
                    bind(ps, a.journeyId(), a.version(), a.actionKey(), orgOf(c, a), a.actionType());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE jr_action_stats SET runs = runs + ?, succeeded = succeeded + ?, failed = failed + ? "
                    + "WHERE journey_id = ? AND version = ? AND action_key = ?")) {
                for (ActionStats a : sorted) {
                    bind(ps, a.runs(), a.succeeded(), a.failed(), a.journeyId(), a.version(), a.actionKey());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    private final Map<UUID, UUID> orgs = new java.util.concurrent.ConcurrentHashMap<>();

    /** The organisation of a journey (counters carry it for isolation); journeys never change organisation. */
    private UUID orgOf(Connection c, ActionStats a) throws SQLException {
        UUID org = orgs.get(a.journeyId());
        if (org == null) {
            try (PreparedStatement ps = c.prepareStatement("SELECT org_id FROM jr_journeys WHERE id = ?")) {
                ps.setObject(1, a.journeyId());
                try (ResultSet rs = ps.executeQuery()) {
                    org = rs.next() ? rs.getObject(1, UUID.class) : new UUID(0, 0);
                }
            }
            orgs.put(a.journeyId(), org);
        }
        return org;
    }

    @Override
    public List<ActionStats> actionStats(UUID orgId, UUID journeyId) {
        return query("SELECT journey_id, version, action_key, action_type, runs, succeeded, failed FROM jr_action_stats "
                + "WHERE journey_id = ? AND org_id = ? ORDER BY version, action_key", rs -> new ActionStats(rs.getObject("journey_id", UUID.class),
                rs.getInt("version"), rs.getString("action_key"), rs.getString("action_type"), rs.getLong("runs"), rs.getLong("succeeded"),
                rs.getLong("failed")), journeyId, orgId);
    }

    private static ObjectNode json(String text) {
        JsonNode n = Json.read(text);
        if (n.isTextual()) {
            n = Json.read(n.textValue());
        }
        return (ObjectNode) n;
    }

    @SuppressWarnings("unused")
    private static Map<String, Object> unused() {
        return new HashMap<>();
    }
}
