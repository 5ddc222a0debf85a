package io.waymark.store;

import io.waymark.record.Attachment;
import io.waymark.record.AttachmentStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Attachments in the {@code attachments} table; metadata queries never read the bytes. */
final class JdbcAttachmentStore implements AttachmentStore {
    private static final String META = "id, org_id, module, record_id, file_name, content_type, size_bytes, sha256, created_at, created_by";

    private final JdbcTransactor tx;

    JdbcAttachmentStore(JdbcTransactor tx) {
        this.tx = tx;
    }

    @Override
    public void insert(Attachment a, byte[] content) {
        tx.exec("INSERT INTO attachments (" + META + ", content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", a.id(), a.orgId(), a.module(), a.recordId(),
                a.fileName(), a.contentType(), a.size(), a.sha256(), a.createdAt(), a.createdBy(), content);
    }

    @Override
    public List<Attachment> ofRecord(UUID orgId, UUID recordId) {
        return tx.query("SELECT " + META + " FROM attachments WHERE org_id = ? AND record_id = ? ORDER BY created_at, id", JdbcAttachmentStore::read,
                orgId, recordId);
    }

    @Override
    public Optional<Attachment> find(UUID orgId, UUID id) {
        return tx.query("SELECT " + META + " FROM attachments WHERE id = ? AND org_id = ?", JdbcAttachmentStore::read, id, orgId).stream().findFirst();
    }

    @Override
    public List<Attachment> ofRecord(UUID orgId, UUID recordId, Collection<UUID> ids) {
        List<Attachment> out = new ArrayList<>();
        List<UUID> all = List.copyOf(ids);
        for (int from = 0; from < all.size(); from += 500) {
            List<UUID> chunk = all.subList(from, Math.min(all.size(), from + 500));
            Object[] params = new Object[chunk.size() + 2];
            params[0] = orgId;
            params[1] = recordId;
            for (int i = 0; i < chunk.size(); i++) {
                params[i + 2] = chunk.get(i);
            }
            out.addAll(tx.query("SELECT " + META + " FROM attachments WHERE org_id = ? AND record_id = ? AND id IN (?" + ", ?".repeat(chunk.size() - 1) + ")",
                    JdbcAttachmentStore::read, params));
        }
        return out;
    }

    @Override
    public Optional<byte[]> content(UUID orgId, UUID id) {
        return tx.query("SELECT content FROM attachments WHERE id = ? AND org_id = ?", rs -> rs.getBytes(1), id, orgId).stream().findFirst();
    }

    @Override
    public boolean delete(UUID orgId, UUID id) {
        return tx.exec("DELETE FROM attachments WHERE id = ? AND org_id = ?", id, orgId) == 1;
    }

    private static Attachment read(ResultSet rs) throws SQLException {
        return new Attachment(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class), rs.getString("module"),
                rs.getObject("record_id", UUID.class), rs.getString("file_name"), rs.getString("content_type"), rs.getLong("size_bytes"),
                rs.getString("sha256"), Columns.instant(rs, "created_at"), rs.getObject("created_by", UUID.class));
    }
}
