package io.waymark.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.json.Json;
import io.waymark.review.ReviewStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Review processes and reviews. */
final class JdbcReviewStore implements ReviewStore {
    private static final String PROCESS = "id, org_id, module, position, active, definition, revision, created_at, modified_at";
    private static final String REVIEW = "id, org_id, process_id, module, record_id, status, submitter, source, detail, revision, created_at, modified_at";
    private static final int IN_CHUNK = 500;

    private final JdbcTransactor tx;

    JdbcReviewStore(JdbcTransactor tx) {
        this.tx = tx;
    }

    @Override
    public void insertProcess(StoredProcess p) {
        tx.exec("INSERT INTO rv_processes (" + PROCESS + ") VALUES (?, ?, ?, ?, ?, CAST(? AS JSONB), ?, ?, ?)", p.id(), p.orgId(), p.module(),
                p.position(), p.active(), Json.write(p.definition()), p.revision(), p.createdAt(), p.modifiedAt());
    }

    @Override
    public boolean updateProcess(StoredProcess p, long expectedRevision) {
        return tx.exec("UPDATE rv_processes SET position = ?, active = ?, definition = CAST(? AS JSONB), revision = ?, modified_at = ? "
                + "WHERE id = ? AND org_id = ? AND revision = ?", p.position(), p.active(), Json.write(p.definition()), p.revision(), p.modifiedAt(),
                p.id(), p.orgId(), expectedRevision) == 1;
    }

    @Override
    public boolean deleteProcess(UUID orgId, UUID id) {
        return tx.exec("DELETE FROM rv_processes WHERE org_id = ? AND id = ?", orgId, id) == 1;
    }

    @Override
    public Optional<StoredProcess> process(UUID orgId, UUID id) {
        return tx.query("SELECT " + PROCESS + " FROM rv_processes WHERE org_id = ? AND id = ?", JdbcReviewStore::process, orgId, id).stream().findFirst();
    }

    @Override
    public List<StoredProcess> processes(UUID orgId, String module) {
        return module == null
                ? tx.query("SELECT " + PROCESS + " FROM rv_processes WHERE org_id = ? ORDER BY module, position, created_at, id", JdbcReviewStore::process, orgId)
                : tx.query("SELECT " + PROCESS + " FROM rv_processes WHERE org_id = ? AND module = ? ORDER BY position, created_at, id",
                JdbcReviewStore::process, orgId, module);
    }

    @Override
    public void insertReviews(List<Review> reviews) {
        for (Review r : reviews) {
            tx.exec("INSERT INTO rv_reviews (" + REVIEW + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS JSONB), ?, ?, ?)", r.id(), r.orgId(), r.processId(),
                    r.module(), r.recordId(), r.status(), r.submitter(), r.source(), Json.write(r.detail()), r.revision(), r.createdAt(), r.modifiedAt());
        }
    }

    @Override
    public boolean updateReview(Review r, long expectedRevision) {
        return tx.exec("UPDATE rv_reviews SET status = ?, detail = CAST(? AS JSONB), revision = ?, modified_at = ? WHERE id = ? AND org_id = ? AND revision = ?",
                r.status(), Json.write(r.detail()), r.revision(), r.modifiedAt(), r.id(), r.orgId(), expectedRevision) == 1;
    }

    @Override
    public Optional<Review> review(UUID orgId, UUID id) {
        return tx.query("SELECT " + REVIEW + " FROM rv_reviews WHERE org_id = ? AND id = ?", JdbcReviewStore::review, orgId, id).stream().findFirst();
    }

    @Override
    public Optional<Review> ofRecord(UUID orgId, UUID recordId) {
        return tx.query("SELECT " + REVIEW + " FROM rv_reviews WHERE org_id = ? AND record_id = ?", JdbcReviewStore::review, orgId, recordId)
                .stream().findFirst();
    }

    @Override
    public Set<UUID> held(UUID orgId, Collection<UUID> recordIds) {
        Set<UUID> out = new HashSet<>();
        List<UUID> ids = new ArrayList<>(recordIds);
        for (int from = 0; from < ids.size(); from += IN_CHUNK) {
            List<UUID> chunk = ids.subList(from, Math.min(ids.size(), from + IN_CHUNK));
            Object[] params = new Object[chunk.size() + 1];
            params[0] = orgId;
            for (int i = 0; i < chunk.size(); i++) {
                params[i + 1] = chunk.get(i);
            }
            String marks = String.join(", ", java.util.Collections.nCopies(chunk.size(), "?"));
            out.addAll(tx.query("SELECT record_id FROM rv_reviews WHERE org_id = ? AND status IN ('pending', 'rejected') AND record_id IN (" + marks + ")",
                    rs -> rs.getObject("record_id", UUID.class), params));
        }
        return out;
    }

    @Override
    public List<Review> withStatus(UUID orgId, String status, String module, int limit) {
        return module == null
                ? tx.query("SELECT " + REVIEW + " FROM rv_reviews WHERE org_id = ? AND status = ? ORDER BY org_id, status, seq LIMIT ?", JdbcReviewStore::review,
                orgId, status, limit)
                : tx.query("SELECT " + REVIEW + " FROM rv_reviews WHERE org_id = ? AND status = ? AND module = ? ORDER BY org_id, status, seq LIMIT ?",
                JdbcReviewStore::review, orgId, status, module, limit);
    }

    @Override
    public boolean holding(UUID orgId, UUID processId) {
        return !tx.query("SELECT id FROM rv_reviews WHERE org_id = ? AND process_id = ? AND status IN ('pending', 'rejected') LIMIT 1",
                rs -> rs.getObject("id", UUID.class), orgId, processId).isEmpty();
    }

    private static StoredProcess process(ResultSet rs) throws SQLException {
        return new StoredProcess(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class), rs.getString("module"), rs.getInt("position"),
                rs.getBoolean("active"), object(rs.getString("definition")), rs.getLong("revision"), Columns.instant(rs, "created_at"),
                Columns.instant(rs, "modified_at"));
    }

    private static Review review(ResultSet rs) throws SQLException {
        return new Review(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class), rs.getObject("process_id", UUID.class),
                rs.getString("module"), rs.getObject("record_id", UUID.class), rs.getString("status"), rs.getObject("submitter", UUID.class),
                rs.getString("source"), object(rs.getString("detail")), rs.getLong("revision"), Columns.instant(rs, "created_at"),
                Columns.instant(rs, "modified_at"));
    }

    private static ObjectNode object(String text) {
        JsonNode n = Json.read(text);
        return (ObjectNode) (n.isTextual() ? Json.read(n.textValue()) : n);
    }
}
