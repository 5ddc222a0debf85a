package io.waymark.store;

import java.util.List;

/**
 * Schema version 18 (PostgreSQL only; H2 has no partial indexes, so there it changes nothing):
 * two indexes that only part of a table needs cover only that part.
 *
 * <ul>
 *   <li>The outbox's due index holds pending and running entries only. The workers' claims ask
 *       for {@code status = 'pending'} or {@code status IN ('pending', 'running')}, as literals, so
 *       every plan (generic ones too) can use it. Done and failed entries stay for the API; with a
 *       full index each of them stayed in it, so marking an entry done wrote an index entry that
 *       no claim would read, and the index grew with the history instead of with the waiting
 *       work. (Counting entries by a done or failed status now reads the table; nothing on a hot
 *       path does.) The record-order index stays whole: the list API finds a record's entries,
 *       whatever their status, through it.</li>
 *   <li>The signals' record index holds the signals that belong to a record only: external
 *       signals (emails, visits, calls, custom types sent to a subject) have no record, and each
 *       cost an index entry under NULL that no query reads (a record's timeline asks for
 *       {@code record_id = ?}, which implies it is not null, also in a generic plan).</li>
 * </ul>
 *
 * <p>The new indexes are built first under other names ({@code CREATE INDEX} blocks writes to
 * the table while it builds, not reads), then the old ones are dropped and the new ones take
 * their names: the exclusive lock that a drop needs is taken at the end of the migration's
 * transaction only.
 */
final class V18__Pending_only_indexes extends OneDatabaseMigration {
    V18__Pending_only_indexes() {
        super(Dialect.POSTGRESQL, List.of(
                "CREATE INDEX outbox_entries_due_order_v18 ON outbox_entries (status, transactional, next_attempt_at, seq) "
                        + "WHERE status IN ('pending', 'running')",
                "CREATE INDEX signals_record_v18 ON signals (org_id, record_id, occurred_at) WHERE record_id IS NOT NULL",
                "DROP INDEX outbox_entries_due_order",
                "ALTER INDEX outbox_entries_due_order_v18 RENAME TO outbox_entries_due_order",
                "DROP INDEX signals_record",
                "ALTER INDEX signals_record_v18 RENAME TO signals_record"));
    }
}
