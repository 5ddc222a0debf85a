package io.waymark.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import io.waymark.workflow.WorkflowStore;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Workflow rules (definition as JSON) and their execution history. */
final class JdbcWorkflowStore implements WorkflowStore {
    private static final String RULE = "id, org_id, module, active, definition, version, created_at, modified_at";
    private static final String HISTORY = "id, org_id, rule_id, module, record_id, signal_id, event, branch, detail, occurred_at";

    private final JdbcTransactor tx;

    JdbcWorkflowStore(JdbcTransactor tx) {
        this.tx = tx;
    }

    private <T> T jdbc(JdbcTransactor.ConnectionWork<T> work) {
        return tx.jdbc(work);
    }

    @Override
    public void insert(StoredRule r) {
        jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO wf_rules (" + RULE + ") VALUES (?, ?, ?, ?, CAST(? AS JSONB), ?, ?, ?)")) {
                ps.setObject(1, r.id());
                ps.setObject(2, r.orgId());
                ps.setString(3, r.module());
                ps.setBoolean(4, r.active());
                ps.setString(5, Json.write(r.definition()));
                ps.setLong(6, r.version());
                Columns.bind(ps, 7, r.createdAt());
                Columns.bind(ps, 8, r.modifiedAt());
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public boolean update(StoredRule r, long expectedVersion) {
        return jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE wf_rules SET active = ?, definition = CAST(? AS JSONB), version = ?, "
                    + "modified_at = ? WHERE id = ? AND org_id = ? AND version = ?")) {
                ps.setBoolean(1, r.active());
                ps.setString(2, Json.write(r.definition()));
                ps.setLong(3, r.version());
                Columns.bind(ps, 4, r.modifiedAt());
                ps.setObject(5, r.id());
                ps.setObject(6, r.orgId());
                ps.setLong(7, expectedVersion);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean delete(UUID orgId, UUID id) {
        return jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM wf_rules WHERE id = ? AND org_id = ?")) {
                ps.setObject(1, id);
                ps.setObject(2, orgId);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Optional<StoredRule> find(UUID orgId, UUID id) {
        return rules("SELECT " + RULE + " FROM wf_rules WHERE id = ? AND org_id = ?", id, orgId).stream().findFirst();
    }

    @Override
    public List<StoredRule> list(UUID orgId, String module) {
        return module == null ? rules("SELECT " + RULE + " FROM wf_rules WHERE org_id = ? ORDER BY created_at, id", orgId)
                : rules("SELECT " + RULE + " FROM wf_rules WHERE org_id = ? AND module = ? ORDER BY created_at, id", orgId, module);
    }

    @Override
    public List<StoredRule> active(UUID orgId, String module) {
        return rules("SELECT " + RULE + " FROM wf_rules WHERE org_id = ? AND module = ? AND active = TRUE ORDER BY created_at, id", orgId, module);
    }

    private List<StoredRule> rules(String sql, Object... params) {
        return jdbc(c -> {
            List<StoredRule> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    Columns.bind(ps, i + 1, params[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new StoredRule(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class), rs.getString("module"),
                                rs.getBoolean("active"), json(rs.getString("definition")), rs.getLong("version"),
                                Columns.instant(rs, "created_at"), Columns.instant(rs, "modified_at")));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public void appendHistory(List<HistoryEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO wf_history (" + HISTORY + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS JSONB), ?)")) {
                for (HistoryEntry h : entries) {
                    ps.setObject(1, h.id());
                    ps.setObject(2, h.orgId());
                    ps.setObject(3, h.ruleId());
                    ps.setString(4, h.module());
                    ps.setObject(5, h.recordId());
                    ps.setObject(6, h.signalId());
                    ps.setString(7, h.event());
                    ps.setString(8, h.branch() == null ? null : h.branch().length() > 300 ? h.branch().substring(0, 300) : h.branch());
                    ps.setString(9, Json.write(h.detail()));
                    Columns.bind(ps, 10, h.occurredAt());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    @Override
    public HistoryPage history(UUID orgId, UUID ruleId, UUID recordId, int limit, String cursor) {
        StringBuilder sql = new StringBuilder("SELECT " + HISTORY + " FROM wf_history WHERE org_id = ? AND rule_id = ?");
        List<Object> params = new ArrayList<>(List.of(orgId, ruleId));
        if (recordId != null) {
            sql.append(" AND record_id = ?");
            params.add(recordId);
        }
        if (cursor != null) {
            try {
                params.add(UUID.fromString(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8)));
            } catch (IllegalArgumentException e) {
                throw new ValidationException("Invalid cursor", List.of(new FieldError("cursor", "is not a cursor of this list")));
            }
            sql.append(" AND id < ?");
        }
        sql.append(" ORDER BY id DESC LIMIT ?");
        params.add(limit + 1);
        List<HistoryEntry> rows = jdbc(c -> {
            List<HistoryEntry> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < params.size(); i++) {
                    Columns.bind(ps, i + 1, params.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new HistoryEntry(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class), rs.getObject("rule_id", UUID.class),
                                rs.getString("module"), rs.getObject("record_id", UUID.class), rs.getObject("signal_id", UUID.class),
                                rs.getString("event"), rs.getString("branch"), json(rs.getString("detail")), Columns.instant(rs, "occurred_at")));
                    }
                }
            }
            return out;
        });
        String next = null;
        if (rows.size() > limit) {
            rows.remove(rows.size() - 1);
            next = Base64.getUrlEncoder().withoutPadding().encodeToString(rows.get(rows.size() - 1).id().toString().getBytes(StandardCharsets.UTF_8));
        }
        return new HistoryPage(rows, next);
    }

    private static ObjectNode json(String text) {
        JsonNode n = Json.read(text);
        if (n.isTextual()) {
            n = Json.read(n.textValue());
        }
        return (ObjectNode) n;
    }

}
