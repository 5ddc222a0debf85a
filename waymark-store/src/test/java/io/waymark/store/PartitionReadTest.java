package io.waymark.store;

import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.signal.Signal;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import java.sql.Connection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * A consumer reading a partition batch by batch from a position (as the dispatcher does when a
 * consumer catches up): each batch is the next signals in order, and on H2 a batch reads no more
 * rows than it returns, however much of the partition lies beyond it.
 */
class PartitionReadTest {

    /** 600 signals of one subject (so one partition), in ingest order; returns them as stored. */
    static List<Signal> ingest(TestDb db) {
        String subject = "visitor:" + java.util.UUID.randomUUID();
        List<Signal> stored = new ArrayList<>();
        for (int b = 0; b < 3; b++) {
            List<JsonNode> batch = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                batch.add(json("{'type': 'web.visit', 'subject': '" + subject + "', 'payload': {'n': " + (b * 200 + i) + "}}"));
            }
            stored.addAll(db.engine().signals().ingest(db.admin(), batch));
        }
        return stored;
    }

    static JdbcSignalStore store(TestDb db) {
        return new JdbcSignalStore((JdbcTransactor) db.store().transactor(), db.kind().equals("h2") ? Dialect.H2 : Dialect.POSTGRESQL, Clock.systemUTC());
    }

    @BothDatabases
    void batchesFromAPositionAreTheNextSignalsInOrder(TestDb db) {
        List<Signal> stored = ingest(db);
        int partition = stored.get(0).partition();
        long from = stored.get(0).seq() - 1;
        List<Signal> read = new ArrayList<>();
        for (List<Signal> batch = store(db).read(partition, from, 64); !batch.isEmpty(); batch = store(db).read(partition, from, 64)) {
            assertThat(batch).hasSizeLessThanOrEqualTo(64);
            read.addAll(batch);
            from = batch.get(batch.size() - 1).seq();
        }
        // Other tests' signals may share the partition; ours come back complete and in order.
        List<Signal> ours = read.stream().filter(s -> s.subject().equals(stored.get(0).subject())).toList();
        assertThat(ours).extracting(Signal::id).containsExactlyElementsOf(stored.stream().map(Signal::id).toList());
        assertThat(read).extracting(Signal::seq).isSorted().doesNotHaveDuplicates();
    }

    @BothDatabases
    void onH2ABatchReadsNoMoreRowsThanItReturns(TestDb db) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(db.kind().equals("h2"), "H2's plans only");
        List<Signal> stored = ingest(db);
        try (Connection c = db.store().dataSource().getConnection()) {
            // Before the fix: the whole rest of the partition (600 rows and more) for every batch.
            // On H2 the primary key is the position (V21): a partition is one range of it.
            int p = stored.get(0).partition();
            assertThat(OutboxClaimTest.rowsRead(c, JdbcSignalStore.READ_PARTITION_H2, JdbcSignalStore.position(p, stored.get(0).seq() - 1),
                    JdbcSignalStore.position(p + 1L, 0), 10)).isLessThanOrEqualTo(11);
        }
    }
}
