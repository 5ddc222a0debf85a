package io.waymark.store;

import java.util.List;

/**
 * Schema version 21 (H2 only): the signal log's primary key is one number, the position
 * {@code pos = partition_no × 2^40 + seq} (a generated column), in place of
 * {@code (partition_no, seq)}.
 *
 * <p>H2 keeps a table's rows in a B-tree keyed by its primary key only when that key is a
 * single integer column; any other primary key is one more index beside the rows. With the
 * position as the key, a partition's signals lie together in the rows' own tree in the order
 * consumers read them, and each append writes one index entry fewer (four, not five). H2 cannot
 * change a table's row key in place, so the table is made anew and its rows copied. A partition's
 * signals are read by position range ({@link JdbcSignalStore#read(int, long, int)}), which is the
 * same order as {@code (partition_no, seq)}; sequence numbers stay below 2^40 (a trillion) in a
 * partition. PostgreSQL, whose tables are heaps with every key an index, keeps
 * {@code (partition_no, seq)}.
 */
final class V21__Signal_position_key extends OneDatabaseMigration {
    V21__Signal_position_key() {
        super(Dialect.H2, List.of(
                "DROP INDEX signals_subject",
                "DROP INDEX signals_record",
                "DROP INDEX signals_time",
                "ALTER TABLE signals DROP CONSTRAINT signals_id_unique",
                "ALTER TABLE signals RENAME TO signals_v20",
                "CREATE TABLE signals ("
                        + "partition_no INT NOT NULL, seq BIGINT NOT NULL, id UUID NOT NULL, org_id UUID NOT NULL, type VARCHAR(100) NOT NULL, "
                        + "subject VARCHAR(200) NOT NULL, module VARCHAR(50), record_id UUID, payload JSONB NOT NULL, "
                        + "occurred_at TIMESTAMP WITH TIME ZONE NOT NULL, recorded_at TIMESTAMP WITH TIME ZONE NOT NULL, actor UUID, "
                        + "subject_epoch BIGINT GENERATED ALWAYS AS (seq / " + JdbcSignalStore.SUBJECT_EPOCH + "), "
                        + "pos BIGINT GENERATED ALWAYS AS (" + JdbcSignalStore.H2_POSITION + "), "
                        + "CONSTRAINT signals_pkey PRIMARY KEY (pos), CONSTRAINT signals_id_unique UNIQUE (id))",
                "INSERT INTO signals (partition_no, seq, id, org_id, type, subject, module, record_id, payload, occurred_at, recorded_at, actor) "
                        + "SELECT partition_no, seq, id, org_id, type, subject, module, record_id, payload, occurred_at, recorded_at, actor "
                        + "FROM signals_v20 ORDER BY partition_no, seq",
                "DROP TABLE signals_v20",
                "CREATE INDEX signals_subject ON signals (org_id, subject_epoch, subject, seq)",
                "CREATE INDEX signals_record ON signals (org_id, record_id, occurred_at)",
                "CREATE INDEX signals_time ON signals (org_id, occurred_at)"));
    }
}
