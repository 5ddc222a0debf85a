package io.waymark.store;

import java.util.List;

/**
 * Schema version 20 (H2 only): the index of each customer's signals is keyed by an epoch of the
 * signal's sequence number before the subject, {@code (org_id, subject_epoch, subject, seq)},
 * where {@code subject_epoch} is {@code seq / }{@link JdbcSignalStore#SUBJECT_EPOCH} (a
 * generated column).
 *
 * <p>Signals arrive in no order of subject, so on {@code (org_id, subject, seq)} each append
 * lands on a random leaf, and H2, which writes every changed B-tree page again at each store,
 * rewrote nearly the whole index every half second: that index was half the cost of an append,
 * and more as the log grew. With the epoch in front, appends only touch the current epoch's
 * leaves (at most {@code 64 × SUBJECT_EPOCH} signals), whatever the size of the log. A read by
 * subject looks into each epoch of the subject's partition in turn: one index seek each (see
 * {@link JdbcSignalStore#query}). PostgreSQL, which updates index pages in place, keeps the plain
 * index.
 */
final class V20__Signal_subject_epochs extends OneDatabaseMigration {
    V20__Signal_subject_epochs() {
        super(Dialect.H2, List.of(
                "ALTER TABLE signals ADD COLUMN subject_epoch BIGINT GENERATED ALWAYS AS (seq / " + JdbcSignalStore.SUBJECT_EPOCH + ")",
                "DROP INDEX signals_subject",
                "CREATE INDEX signals_subject ON signals (org_id, subject_epoch, subject, seq)"));
    }
}
