package io.waymark.store;

import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Schema version 18 (PostgreSQL only; H2 has no partial indexes, so there it changes nothing):
 * indexes that only the live part of a table needs cover only that part.
 *
 * <ul>
 *   <li>The outbox's due index and record-order index hold pending and running entries only.
 *       Every query that uses them asks for {@code status = 'pending'} or
 *       {@code status IN ('pending', 'running')}. Done and failed entries stay for the API, and
 *       with full indexes every one of them stayed in both, so completing an entry wrote two more
 *       index entries that no claim would ever read, and the indexes grew with the history
 *       instead of with the work waiting.</li>
 *   <li>The signals' record index holds the signals that belong to a record only: external
 *       signals (emails, visits, calls, custom types sent to a subject) have no record, and each
 *       of them cost an index entry under NULL that no query reads (a record's timeline asks for
 *       {@code record_id = ?}, which implies it is not null).</li>
 * </ul>
 *
 * <p>Flyway runs it in one transaction: the tables are locked for writes while the indexes are
 * rebuilt, which on a large outbox or log takes a while; plan the upgrade for a quiet moment.
 */
public final class V18__Pending_only_indexes extends BaseJavaMigration {
    @Override
    public void migrate(Context context) throws Exception {
        String product = context.getConnection().getMetaData().getDatabaseProductName();
        if (!product.toLowerCase(java.util.Locale.ROOT).contains("postgres")) {
            return;
        }
        try (Statement s = context.getConnection().createStatement()) {
            s.execute("DROP INDEX outbox_entries_due_order");
            s.execute("CREATE INDEX outbox_entries_due_order ON outbox_entries (status, transactional, next_attempt_at, seq) "
                    + "WHERE status IN ('pending', 'running')");
            s.execute("DROP INDEX outbox_entries_record_order");
            s.execute("CREATE INDEX outbox_entries_record_order ON outbox_entries (record_id, status, seq) WHERE status IN ('pending', 'running')");
            s.execute("DROP INDEX signals_record");
            s.execute("CREATE INDEX signals_record ON signals (org_id, record_id, occurred_at) WHERE record_id IS NOT NULL");
        }
    }
}
