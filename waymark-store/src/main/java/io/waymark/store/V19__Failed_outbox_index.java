package io.waymark.store;

import java.util.List;

/**
 * Schema version 19 (PostgreSQL only; H2 has no partial indexes, and there the due index, whole,
 * already leads with the status): an index of each organisation's failed outbox entries, newest
 * first. An operator's {@code GET /api/v1/outbox?status=failed} walked the organisation's whole
 * history through its {@code (org_id, id)} index, newest first, to find the few that failed: it
 * took longer the longer the system ran. Failed entries are few, so this index is small, and an
 * entry that succeeds (nearly all of them) never writes to it.
 */
final class V19__Failed_outbox_index extends OneDatabaseMigration {
    V19__Failed_outbox_index() {
        super(Dialect.POSTGRESQL, List.of(
                "CREATE INDEX outbox_entries_failed ON outbox_entries (org_id, id) WHERE status = 'failed'"));
    }
}
