package io.waymark.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.approval.ApprovalStore;
import io.waymark.json.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Approval processes and requests. */
final class JdbcApprovalStore implements ApprovalStore {
    private static final String PROCESS = "id, org_id, module, position, active, definition, revision, created_at, modified_at";
    private static final String REQUEST = "id, org_id, process_id, module, record_id, status, step, submitter, detail, revision, created_at, modified_at";

    private final JdbcTransactor tx;

    JdbcApprovalStore(JdbcTransactor tx) {
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
    public void insertProcess(StoredProcess p) {
        exec("INSERT INTO ap_processes (" + PROCESS + ") VALUES (?, ?, ?, ?, ?, CAST(? AS JSONB), ?, ?, ?)", p.id(), p.orgId(), p.module(), p.position(),
                p.active(), Json.write(p.definition()), p.revision(), p.createdAt(), p.modifiedAt());
    }

    @Override
    public boolean updateProcess(StoredProcess p, long expectedRevision) {
        return exec("UPDATE ap_processes SET position = ?, active = ?, definition = CAST(? AS JSONB), revision = ?, modified_at = ? "
                + "WHERE id = ? AND org_id = ? AND revision = ?", p.position(), p.active(), Json.write(p.definition()), p.revision(), p.modifiedAt(),
                p.id(), p.orgId(), expectedRevision) == 1;
    }

    @Override
    public boolean deleteProcess(UUID orgId, UUID id) {
        return exec("DELETE FROM ap_processes WHERE org_id = ? AND id = ?", orgId, id) == 1;
    }

    @Override
    public Optional<StoredProcess> process(UUID orgId, UUID id) {
        return query("SELECT " + PROCESS + " FROM ap_processes WHERE org_id = ? AND id = ?", JdbcApprovalStore::process, orgId, id).stream().findFirst();
    }

    @Override
    public List<StoredProcess> processes(UUID orgId, String module) {
        return module == null
                ? query("SELECT " + PROCESS + " FROM ap_processes WHERE org_id = ? ORDER BY module, position, created_at, id", JdbcApprovalStore::process, orgId)
                : query("SELECT " + PROCESS + " FROM ap_processes WHERE org_id = ? AND module = ? ORDER BY position, created_at, id",
                JdbcApprovalStore::process, orgId, module);
    }

    @Override
    public void insertRequest(Request r) {
        exec("INSERT INTO ap_requests (" + REQUEST + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS JSONB), ?, ?, ?)", r.id(), r.orgId(), r.processId(),
                r.module(), r.recordId(), r.status(), r.step(), r.submitter(), Json.write(r.detail()), r.revision(), r.createdAt(), r.modifiedAt());
    }

    @Override
    public boolean updateRequest(Request r, long expectedRevision) {
        return exec("UPDATE ap_requests SET status = ?, step = ?, detail = CAST(? AS JSONB), revision = ?, modified_at = ? "
                + "WHERE id = ? AND org_id = ? AND revision = ?", r.status(), r.step(), Json.write(r.detail()), r.revision(), r.modifiedAt(),
                r.id(), r.orgId(), expectedRevision) == 1;
    }

    @Override
    public Optional<Request> request(UUID orgId, UUID id) {
        return query("SELECT " + REQUEST + " FROM ap_requests WHERE org_id = ? AND id = ?", JdbcApprovalStore::request, orgId, id).stream().findFirst();
    }

    @Override
    public Optional<Request> pending(UUID orgId, UUID recordId) {
        return query("SELECT " + REQUEST + " FROM ap_requests WHERE org_id = ? AND record_id = ? AND status = 'pending'", JdbcApprovalStore::request,
                orgId, recordId).stream().findFirst();
    }

    @Override
    public Map<UUID, Request> pending(UUID orgId, java.util.Collection<UUID> recordIds) {
        Map<UUID, Request> out = new java.util.HashMap<>();
        List<UUID> ids = new ArrayList<>(recordIds);
        for (int from = 0; from < ids.size(); from += 500) {
            List<UUID> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
            Object[] params = new Object[chunk.size() + 1];
            params[0] = orgId;
            for (int i = 0; i < chunk.size(); i++) {
                params[i + 1] = chunk.get(i);
            }
            String marks = String.join(", ", java.util.Collections.nCopies(chunk.size(), "?"));
            query("SELECT " + REQUEST + " FROM ap_requests WHERE org_id = ? AND record_id IN (" + marks + ") AND status = 'pending'",
                    JdbcApprovalStore::request, params).forEach(r -> out.put(r.recordId(), r));
        }
        return out;
    }

    @Override
    public List<Request> requestsOf(UUID orgId, UUID recordId) {
        return query("SELECT " + REQUEST + " FROM ap_requests WHERE org_id = ? AND record_id = ? ORDER BY seq DESC", JdbcApprovalStore::request,
                orgId, recordId);
    }

    @Override
    public Optional<Request> latest(UUID orgId, UUID recordId, UUID processId) {
        return query("SELECT " + REQUEST + " FROM ap_requests WHERE org_id = ? AND record_id = ? AND process_id = ? ORDER BY seq DESC LIMIT 1",
                JdbcApprovalStore::request, orgId, recordId, processId).stream().findFirst();
    }

    @Override
    public List<Request> pendingRequests(UUID orgId, int limit) {
        return query("SELECT " + REQUEST + " FROM ap_requests WHERE org_id = ? AND status = 'pending' ORDER BY org_id, status, seq LIMIT ?", JdbcApprovalStore::request,
                orgId, limit);
    }

    private static StoredProcess process(ResultSet rs) throws SQLException {
        return new StoredProcess(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class), rs.getString("module"), rs.getInt("position"),
                rs.getBoolean("active"), object(rs.getString("definition")), rs.getLong("revision"), Columns.instant(rs, "created_at"),
                Columns.instant(rs, "modified_at"));
    }

    private static Request request(ResultSet rs) throws SQLException {
        return new Request(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class), rs.getObject("process_id", UUID.class),
                rs.getString("module"), rs.getObject("record_id", UUID.class), rs.getString("status"), rs.getInt("step"),
                rs.getObject("submitter", UUID.class), object(rs.getString("detail")), rs.getLong("revision"), Columns.instant(rs, "created_at"),
                Columns.instant(rs, "modified_at"));
    }

    private static ObjectNode object(String text) {
        JsonNode n = Json.read(text);
        return (ObjectNode) (n.isTextual() ? Json.read(n.textValue()) : n);
    }
}
