package io.waymark.store;

import java.sql.Statement;
import java.util.List;
import java.util.zip.CRC32;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Schema version 19 (PostgreSQL only; H2 has no partial indexes, and there the due index, whole,
 * already leads with the status): an index of each organisation's failed outbox entries, newest
 * first. An operator's {@code GET /api/v1/outbox?status=failed} walked the organisation's whole
 * history through its {@code (org_id, id)} index, newest first, to find the few that failed: it
 * took longer the longer the system ran. Failed entries are few, so this index is small, and an
 * entry that succeeds (nearly all of them) never writes to it.
 */
final class V19__Failed_outbox_index extends BaseJavaMigration {
    private static final List<String> STATEMENTS = List.of(
            "CREATE INDEX outbox_entries_failed ON outbox_entries (org_id, id) WHERE status = 'failed'");

    @Override
    public void migrate(Context context) throws Exception {
        String product = context.getConnection().getMetaData().getDatabaseProductName();
        if (!product.toLowerCase(java.util.Locale.ROOT).contains("postgres")) {
            return;
        }
        try (Statement s = context.getConnection().createStatement()) {
            for (String sql : STATEMENTS) {
                s.execute(sql);
            }
        }
    }

    /** A checksum of the statements, so that Flyway's validation notices if they are ever edited. */
    @Override
    public Integer getChecksum() {
        CRC32 crc = new CRC32();
        crc.update(String.join(";", STATEMENTS).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return (int) crc.getValue();
    }
}
