package io.waymark.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.action.OutboxEntry;
import io.waymark.action.OutboxStore;
import io.waymark.json.Json;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the outbox's workers find due entries among many finished ones: each worker of a node takes
 * exactly its share of the transactional entries, the lease takes due and lapsed outside entries
 * in due order, and on H2 neither reads more of the table than it returns (checked with H2's
 * {@code EXPLAIN ANALYZE}, which counts the rows each statement read).
 */
class OutboxClaimTest {
    static final int DONE = 1_500;

    /**
     * The entries of one test, due long before anything of the other tests on the shared database
     * (whose clocks start at {@link TestDb#START}); each setup lies a day before the previous one,
     * so that only its own entries are due at its {@code now}. That keeps other tests' entries out
     * of these claims, not these entries out of other engines' claims (a claim spans
     * organisations): it relies on test classes running one at a time, with no outbox worker of
     * another test still running. Removed again by {@link #close}, also when an assertion fails.
     */
    record Setup(TestDb db, JdbcOutboxStore store, List<OutboxEntry> all, List<OutboxEntry> pendingTransactional, List<OutboxEntry> dueExternal,
            Instant now) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            try (Connection c = db.store().dataSource().getConnection();
                    PreparedStatement ps = c.prepareStatement("DELETE FROM outbox_entries WHERE id = ?")) {
                for (OutboxEntry e : all) {
                    ps.setObject(1, e.id());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    private static final java.util.concurrent.atomic.AtomicInteger SETUPS = new java.util.concurrent.atomic.AtomicInteger();

    static OutboxEntry entry(TestDb db, boolean transactional, OutboxEntry.Status status, Instant due) {
        return entry(db, transactional, status, due, "lead:" + UUID.randomUUID());
    }

    static OutboxEntry entry(TestDb db, boolean transactional, OutboxEntry.Status status, Instant due, String subject) {
        ObjectNode config = Json.object();
        return new OutboxEntry(UUID.randomUUID(), db.admin().orgId(), "test:claim", transactional ? "field_update" : "webhook", config, null, null,
                subject, db.admin().userId(), transactional, status, 0, 5, due, null, null, null, 1, due, due);
    }

    /** A subject whose entries fall to worker {@code worker} of two. */
    static String subjectOfWorker(TestDb db, int worker) {
        while (true) {
            String subject = "lead:" + UUID.randomUUID();
            if (io.waymark.signal.SignalLog.partitionOf(db.admin().orgId(), subject) % 2 == worker) {
                return subject;
            }
        }
    }

    static Setup setup(TestDb db) {
        Dialect dialect = db.kind().equals("h2") ? Dialect.H2 : Dialect.POSTGRESQL;
        JdbcOutboxStore store = new JdbcOutboxStore((JdbcTransactor) db.store().transactor(), dialect);
        Instant now = TestDb.START.minus(Duration.ofDays(3650 + SETUPS.incrementAndGet()));
        List<OutboxEntry> all = new ArrayList<>();
        for (int i = 0; i < DONE; i++) {
            all.add(entry(db, i % 2 == 0, OutboxEntry.Status.DONE, now.minusSeconds(DONE - i)));
        }
        List<OutboxEntry> pending = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            // In due order, the entries alternate between the two workers of a two-worker node.
            pending.add(entry(db, true, OutboxEntry.Status.PENDING, now.minusSeconds(100 - i), subjectOfWorker(db, i % 2)));
        }
        // Outside entries: due ones, lapsed leases (running, lease ended), live leases and later ones.
        List<OutboxEntry> dueExternal = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            dueExternal.add(entry(db, false, i % 2 == 0 ? OutboxEntry.Status.PENDING : OutboxEntry.Status.RUNNING, now.minusSeconds(50 - i)));
        }
        all.addAll(pending);
        all.addAll(dueExternal);
        all.add(entry(db, false, OutboxEntry.Status.RUNNING, now.plusSeconds(60)));
        all.add(entry(db, false, OutboxEntry.Status.PENDING, now.plusSeconds(60)));
        all.add(entry(db, true, OutboxEntry.Status.PENDING, now.plusSeconds(60)));
        store.insert(all);
        return new Setup(db, store, all, pending, dueExternal, now);
    }

    @BothDatabases
    void eachWorkerOfANodeTakesExactlyItsShareOfTheDueTransactionalEntries(TestDb db) throws Exception {
        try (Setup s = setup(db)) {
            for (int shards : new int[] {2, 3, 5}) {
                Set<UUID> seen = new HashSet<>();
                for (int shard = 0; shard < shards; shard++) {
                    int mine = shard;
                    List<OutboxEntry> claimed = db.store().transactor().inTransaction(() -> s.store().lockDueTransactional(s.now(), 200, mine, shards));
                    assertThat(claimed).allSatisfy(e -> assertThat(OutboxStore.shardOf(e) % shards).isEqualTo(mine));
                    assertThat(claimed).extracting(OutboxEntry::nextAttemptAt).isSorted();
                    claimed.forEach(e -> assertThat(seen.add(e.id())).as("taken by one worker only").isTrue());
                }
                assertThat(seen).containsExactlyInAnyOrderElementsOf(s.pendingTransactional().stream().map(OutboxEntry::id).toList());
            }
            // One worker takes the earliest due first, up to the limit.
            List<OutboxEntry> first = db.store().transactor().inTransaction(() -> s.store().lockDueTransactional(s.now(), 10, 0, 1));
            assertThat(first).extracting(OutboxEntry::id).containsExactlyElementsOf(s.pendingTransactional().subList(0, 10).stream().map(OutboxEntry::id).toList());
        }
    }

    @BothDatabases
    void theLeaseTakesDueAndLapsedOutsideEntriesInDueOrder(TestDb db) throws Exception {
        try (Setup s = setup(db)) {
            Instant until = s.now().plus(Duration.ofMinutes(5));
            List<OutboxEntry> leased = db.store().transactor().inTransaction(() -> s.store().leaseDueExternal(s.now(), until, 6));
            assertThat(leased).extracting(OutboxEntry::id).containsExactlyElementsOf(s.dueExternal().subList(0, 6).stream().map(OutboxEntry::id).toList());
            assertThat(leased).allSatisfy(e -> {
                assertThat(e.status()).isEqualTo(OutboxEntry.Status.RUNNING);
                assertThat(e.nextAttemptAt()).isEqualTo(until);
                assertThat(e.attempts()).isEqualTo(1);
            });
            List<OutboxEntry> rest = db.store().transactor().inTransaction(() -> s.store().leaseDueExternal(s.now(), until, 6));
            assertThat(rest).extracting(OutboxEntry::id).containsExactlyElementsOf(s.dueExternal().subList(6, 8).stream().map(OutboxEntry::id).toList());
            assertThat(db.store().transactor().inTransaction(() -> s.store().leaseDueExternal(s.now(), until, 6))).isEmpty();
        }
    }

    @BothDatabases
    void onH2AClaimReadsNoMoreRowsThanItTakes(TestDb db) throws Exception {
        // PostgreSQL's plans depend on its statistics; the two tests above check what it returns.
        org.junit.jupiter.api.Assumptions.assumeTrue(db.kind().equals("h2"), "H2's plans only");
        try (Setup s = setup(db); Connection c = db.store().dataSource().getConnection()) {
            // Before the fix, the first read (and sorted) every pending entry and the last the whole table.
            assertThat(rowsRead(c, JdbcOutboxStore.dueTransactionalSql(0, 1), s.now(), 10)).isLessThanOrEqualTo(11);
            // Worker 1 of 2: its 10 lie among the first 20 in due order (the old order read 41).
            assertThat(rowsRead(c, JdbcOutboxStore.dueTransactionalSql(1, 2), s.now(), 10)).isLessThanOrEqualTo(21);
            assertThat(rowsRead(c, JdbcOutboxStore.dueExternalSql(Dialect.H2, 3), s.now(), s.now(), 3)).isLessThanOrEqualTo(3 + 3 + 8);
            // A smaller choice right before, on the same connection, does not cap a larger one
            // (H2 reuses a parenthesised branch's result when only a parameter limit changed).
            assertThat(rows(c, JdbcOutboxStore.dueExternalSql(Dialect.H2, 1), s.now(), s.now(), 1)).isEqualTo(1);
            assertThat(rows(c, JdbcOutboxStore.dueExternalSql(Dialect.H2, 10), s.now(), s.now(), 10)).isEqualTo(8);
        }
    }

    static int rows(Connection c, String sql, Object... params) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                Columns.bind(ps, i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                int n = 0;
                while (rs.next()) {
                    n++;
                }
                return n;
            }
        }
    }

    /** The rows a statement read, summed over H2's {@code scanCount} figures in its analysed plan. */
    static long rowsRead(Connection c, String sql, Object... params) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN ANALYZE " + sql)) {
            for (int i = 0; i < params.length; i++) {
                Columns.bind(ps, i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                String plan = rs.getString(1);
                long read = 0;
                Matcher m = Pattern.compile("scanCount: (\\d+)").matcher(plan);
                while (m.find()) {
                    read += Long.parseLong(m.group(1));
                }
                assertThat(plan).contains("scanCount");
                return read;
            }
        }
    }
}
