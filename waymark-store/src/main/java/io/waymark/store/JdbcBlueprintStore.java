package io.waymark.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.blueprint.BlueprintStore;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Blueprints, their versions, record states and history. */
final class JdbcBlueprintStore implements BlueprintStore {
    private static final String BP = "id, org_id, module, name, position, active, current_version, revision, created_at, modified_at";
    private static final String STATE = "org_id, record_id, module, blueprint_id, version, state, entered_at, done, entry, revision";
    private static final String HISTORY = "id, org_id, record_id, blueprint_id, version, event, transition, from_state, to_state, actor_id, detail, occurred_at";

    private final JdbcTransactor tx;

    JdbcBlueprintStore(JdbcTransactor tx) {
        this.tx = tx;
    }

    private <T> T jdbc(JdbcTransactor.ConnectionWork<T> work) {
        return tx.jdbc(work);
    }

    private int exec(String sql, Object... params) {
        return tx.exec(sql, params);
    }

    private <T> List<T> query(String sql, JdbcTransactor.Rows<T> rows, Object... params) {
        return tx.query(sql, rows, params);
    }

    @Override
    public void insert(StoredBlueprint b, StoredVersion v) {
        exec("INSERT INTO bp_blueprints (" + BP + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", b.id(), b.orgId(), b.module(), b.name(),
                b.position(), b.active(), b.currentVersion(), b.revision(), b.createdAt(), b.modifiedAt());
        insertVersion(b.orgId(), v);
    }

    private void insertVersion(UUID orgId, StoredVersion v) {
        exec("INSERT INTO bp_versions (blueprint_id, version, org_id, definition, created_at) VALUES (?, ?, ?, CAST(? AS JSONB), ?)",
                v.blueprintId(), v.version(), orgId, Json.write(v.definition()), v.createdAt());
    }

    @Override
    public boolean update(StoredBlueprint b, long expectedRevision, StoredVersion newVersion) {
        int n = exec("UPDATE bp_blueprints SET name = ?, position = ?, active = ?, current_version = ?, revision = ?, modified_at = ? "
                + "WHERE id = ? AND org_id = ? AND revision = ?", b.name(), b.position(), b.active(), b.currentVersion(), b.revision(),
                b.modifiedAt(), b.id(), b.orgId(), expectedRevision);
        if (n == 1 && newVersion != null) {
            insertVersion(b.orgId(), newVersion);
        }
        return n == 1;
    }

    @Override
    public boolean delete(UUID orgId, UUID id) {
        exec("DELETE FROM bp_states WHERE org_id = ? AND blueprint_id = ?", orgId, id);
        exec("DELETE FROM bp_versions WHERE org_id = ? AND blueprint_id = ?", orgId, id);
        return exec("DELETE FROM bp_blueprints WHERE org_id = ? AND id = ?", orgId, id) == 1;
    }

    @Override
    public Optional<StoredBlueprint> find(UUID orgId, UUID id) {
        return query("SELECT " + BP + " FROM bp_blueprints WHERE id = ? AND org_id = ?", JdbcBlueprintStore::blueprint, id, orgId).stream().findFirst();
    }

    @Override
    public List<StoredBlueprint> list(UUID orgId, String module) {
        return module == null
                ? query("SELECT " + BP + " FROM bp_blueprints WHERE org_id = ? ORDER BY module, position, created_at, id", JdbcBlueprintStore::blueprint, orgId)
                : query("SELECT " + BP + " FROM bp_blueprints WHERE org_id = ? AND module = ? ORDER BY position, created_at, id",
                JdbcBlueprintStore::blueprint, orgId, module);
    }

    @Override
    public Optional<StoredVersion> version(UUID orgId, UUID blueprintId, int version) {
        return query("SELECT blueprint_id, version, definition, created_at FROM bp_versions WHERE org_id = ? AND blueprint_id = ? AND version = ?",
                JdbcBlueprintStore::version, orgId, blueprintId, version).stream().findFirst();
    }

    @Override
    public List<StoredVersion> versions(UUID orgId, UUID blueprintId) {
        return query("SELECT blueprint_id, version, definition, created_at FROM bp_versions WHERE org_id = ? AND blueprint_id = ? ORDER BY version",
                JdbcBlueprintStore::version, orgId, blueprintId);
    }

    @Override
    public Optional<RecordState> state(UUID orgId, UUID recordId) {
        return query("SELECT " + STATE + " FROM bp_states WHERE org_id = ? AND record_id = ?", JdbcBlueprintStore::state, orgId, recordId)
                .stream().findFirst();
    }

    @Override
    public Map<UUID, RecordState> states(UUID orgId, Collection<UUID> recordIds) {
        Map<UUID, RecordState> out = new LinkedHashMap<>();
        List<UUID> ids = new ArrayList<>(recordIds);
        for (int from = 0; from < ids.size(); from += 500) {
            List<UUID> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
            Object[] params = new Object[chunk.size() + 1];
            params[0] = orgId;
            for (int i = 0; i < chunk.size(); i++) {
                params[i + 1] = chunk.get(i);
            }
            String marks = String.join(", ", java.util.Collections.nCopies(chunk.size(), "?"));
            query("SELECT " + STATE + " FROM bp_states WHERE org_id = ? AND record_id IN (" + marks + ")", JdbcBlueprintStore::state, params)
                    .forEach(s -> out.put(s.recordId(), s));
        }
        return out;
    }

    @Override
    public List<RecordState> statesAt(UUID orgId, UUID blueprintId, int version, UUID afterRecord, int limit) {
        return afterRecord == null
                ? query("SELECT " + STATE + " FROM bp_states WHERE org_id = ? AND blueprint_id = ? AND version = ? ORDER BY org_id, blueprint_id, version, record_id LIMIT ?",
                JdbcBlueprintStore::state, orgId, blueprintId, version, limit)
                : query("SELECT " + STATE + " FROM bp_states WHERE org_id = ? AND blueprint_id = ? AND version = ? AND record_id > ? ORDER BY org_id, blueprint_id, version, record_id LIMIT ?",
                JdbcBlueprintStore::state, orgId, blueprintId, version, afterRecord, limit);
    }

    @Override
    public Map<Integer, Long> inFlight(UUID orgId, UUID blueprintId) {
        Map<Integer, Long> out = new LinkedHashMap<>();
        query("SELECT version, COUNT(*) AS n FROM bp_states WHERE org_id = ? AND blueprint_id = ? GROUP BY version ORDER BY version",
                rs -> Map.entry(rs.getInt("version"), rs.getLong("n")), orgId, blueprintId).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    @Override
    public List<RecordState> statesOf(UUID orgId, String module, int limit) {
        return module == null
                ? query("SELECT " + STATE + " FROM bp_states WHERE org_id = ? ORDER BY entered_at, record_id LIMIT ?", JdbcBlueprintStore::state, orgId, limit)
                : query("SELECT " + STATE + " FROM bp_states WHERE org_id = ? AND module = ? ORDER BY entered_at, record_id LIMIT ?",
                JdbcBlueprintStore::state, orgId, module, limit);
    }

    @Override
    public void insertState(RecordState s) {
        exec("INSERT INTO bp_states (" + STATE + ") VALUES (?, ?, ?, ?, ?, ?, ?, CAST(? AS JSONB), ?, ?)", s.orgId(), s.recordId(), s.module(),
                s.blueprintId(), s.version(), s.state(), s.enteredAt(), doneJson(s.done()), s.entry(), s.revision());
    }

    @Override
    public boolean updateState(RecordState s, long expectedRevision) {
        return exec("UPDATE bp_states SET blueprint_id = ?, version = ?, state = ?, entered_at = ?, done = CAST(? AS JSONB), entry = ?, revision = ? "
                + "WHERE org_id = ? AND record_id = ? AND revision = ?", s.blueprintId(), s.version(), s.state(), s.enteredAt(), doneJson(s.done()),
                s.entry(), s.revision(), s.orgId(), s.recordId(), expectedRevision) == 1;
    }

    @Override
    public void deleteState(UUID orgId, UUID recordId) {
        exec("DELETE FROM bp_states WHERE org_id = ? AND record_id = ?", orgId, recordId);
    }

    @Override
    public void appendHistory(List<HistoryEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO bp_history (" + HISTORY + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS JSONB), ?)")) {
                for (HistoryEntry h : entries) {
                    Columns.bind(ps, 1, h.id());
                    Columns.bind(ps, 2, h.orgId());
                    Columns.bind(ps, 3, h.recordId());
                    Columns.bind(ps, 4, h.blueprintId());
                    Columns.bind(ps, 5, h.version());
                    Columns.bind(ps, 6, h.event());
                    Columns.bind(ps, 7, h.transition());
                    Columns.bind(ps, 8, h.fromState());
                    Columns.bind(ps, 9, h.toState());
                    Columns.bind(ps, 10, h.actorId());
                    Columns.bind(ps, 11, Json.write(h.detail()));
                    Columns.bind(ps, 12, h.occurredAt());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    @Override
    public HistoryPage history(UUID orgId, UUID recordId, int limit, String cursor) {
        List<Object> params = new ArrayList<>(List.of(orgId, recordId));
        String after = "";
        if (cursor != null) {
            try {
                params.add(Long.parseLong(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8)));
            } catch (IllegalArgumentException e) {
                throw new ValidationException("Invalid cursor", List.of(new FieldError("cursor", "is not a cursor of this list")));
            }
            after = " AND seq > ?";
        }
        params.add(limit + 1);
        List<Map.Entry<Long, HistoryEntry>> rows = query("SELECT seq, " + HISTORY + " FROM bp_history WHERE org_id = ? AND record_id = ?" + after
                + " ORDER BY org_id, record_id, seq LIMIT ?", rs -> Map.entry(rs.getLong("seq"), new HistoryEntry(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class), rs.getObject("record_id", UUID.class),
                        rs.getObject("blueprint_id", UUID.class), rs.getInt("version"), rs.getString("event"), rs.getString("transition"),
                        rs.getString("from_state"), rs.getString("to_state"), rs.getObject("actor_id", UUID.class), object(rs.getString("detail")),
                        Columns.instant(rs, "occurred_at"))), params.toArray());
        String next = null;
        if (rows.size() > limit) {
            rows.remove(rows.size() - 1);
            next = Base64.getUrlEncoder().withoutPadding().encodeToString(String.valueOf(rows.get(rows.size() - 1).getKey()).getBytes(StandardCharsets.UTF_8));
        }
        return new HistoryPage(rows.stream().map(Map.Entry::getValue).toList(), next);
    }

    private static StoredBlueprint blueprint(ResultSet rs) throws SQLException {
        return new StoredBlueprint(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class), rs.getString("module"), rs.getString("name"),
                rs.getInt("position"), rs.getBoolean("active"), rs.getInt("current_version"), rs.getLong("revision"),
                Columns.instant(rs, "created_at"), Columns.instant(rs, "modified_at"));
    }

    private static StoredVersion version(ResultSet rs) throws SQLException {
        return new StoredVersion(rs.getObject("blueprint_id", UUID.class), rs.getInt("version"), object(rs.getString("definition")),
                Columns.instant(rs, "created_at"));
    }

    private static RecordState state(ResultSet rs) throws SQLException {
        List<String> done = new ArrayList<>();
        JsonNode d = parse(rs.getString("done"));
        d.forEach(n -> done.add(n.asText()));
        return new RecordState(rs.getObject("org_id", UUID.class), rs.getObject("record_id", UUID.class), rs.getString("module"),
                rs.getObject("blueprint_id", UUID.class), rs.getInt("version"), rs.getString("state"), Columns.instant(rs, "entered_at"),
                List.copyOf(done), rs.getLong("entry"), rs.getLong("revision"));
    }

    private static String doneJson(List<String> done) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        done.forEach(a::add);
        return Json.write(a);
    }

    private static JsonNode parse(String text) {
        JsonNode n = Json.read(text);
        return n.isTextual() ? Json.read(n.textValue()) : n;
    }

    private static ObjectNode object(String text) {
        return (ObjectNode) parse(text);
    }
}
