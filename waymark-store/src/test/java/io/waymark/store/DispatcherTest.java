package io.waymark.store;

import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.Actor;
import io.waymark.Waymark;
import io.waymark.signal.Signal;
import io.waymark.signal.SignalConsumer;
import io.waymark.signal.SignalDispatcher;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

class DispatcherTest {

    /** A consumer that keeps what it saw of one organisation, per subject, in order. */
    static class Recording implements SignalConsumer {
        final String name = "test-" + UUID.randomUUID();
        final UUID org;
        final Map<String, List<String>> seen = new LinkedHashMap<>();
        Consumer<Signal> before = s -> { };

        Recording(UUID org) {
            this.org = org;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void accept(Signal s) {
            // Only the test's own signals: consumers here may write records, whose signals come back.
            if (!s.orgId().equals(org) || !s.type().equals("web.visit")) {
                return;
            }
            before.accept(s);
            seen.computeIfAbsent(s.subject(), k -> new ArrayList<>()).add(s.payload().path("n").asText());
        }

        int count() {
            return seen.values().stream().mapToInt(List::size).sum();
        }
    }

    private static void emit(TestDb db, Actor actor, int subjects, int each) {
        List<JsonNode> batch = new ArrayList<>();
        for (int i = 0; i < each; i++) {
            for (int s = 0; s < subjects; s++) {
                batch.add(json("{'type': 'web.visit', 'subject': 'cust-" + s + "', 'payload': {'n': '" + i + "'}}"));
            }
        }
        db.engine().signals().ingest(actor, batch);
    }

    /** {@code count} signals of the one subject "busy" (one partition), numbered from 0, in calls of 650. */
    private static void emitBusy(TestDb db, int count) {
        for (int from = 0; from < count; from += 650) {
            List<JsonNode> batch = new ArrayList<>();
            for (int i = from; i < Math.min(count, from + 650); i++) {
                batch.add(json("{'type': 'web.visit', 'subject': 'busy', 'payload': {'n': '" + i + "'}}"));
            }
            db.engine().signals().ingest(db.admin(), batch);
        }
    }

    @BothDatabases
    void consumersSeeEachSubjectsSignalsInOrderExactlyOnceWhenAllGoesWell(TestDb db) {
        Recording consumer = new Recording(db.admin().orgId());
        SignalDispatcher dispatcher = db.engine().dispatcher();
        dispatcher.register(consumer);
        emit(db, db.admin(), 10, 5);
        dispatcher.runOnce();
        emit(db, db.admin(), 10, 1);
        dispatcher.runOnce();
        assertThat(consumer.seen).hasSize(10);
        consumer.seen.values().forEach(list -> assertThat(list).containsExactly("0", "1", "2", "3", "4", "0"));
    }

    @BothDatabases
    void aConsumerThatJoinsLateCatchesUpFromTheStartWhileTheOthersSeeOnlyWhatIsNew(TestDb db) {
        Recording early = new Recording(db.admin().orgId());
        SignalDispatcher dispatcher = db.engine().dispatcher();
        dispatcher.register(early);
        emit(db, db.admin(), 10, 5);
        dispatcher.runOnce();
        Recording late = new Recording(db.admin().orgId());
        dispatcher.register(late);
        emit(db, db.admin(), 10, 3);
        dispatcher.runOnce();
        // One pass takes the partitions together, each consumer from its own checkpoint.
        for (Recording r : List.of(early, late)) {
            assertThat(r.seen).hasSize(10);
            r.seen.values().forEach(list -> assertThat(list).containsExactly("0", "1", "2", "3", "4", "0", "1", "2"));
        }
    }

    @BothDatabases
    void aSubjectFarMoreThanABatchBehindIsDeliveredInOrderExactlyOnceInOnePass(TestDb db) {
        Recording consumer = new Recording(db.admin().orgId());
        SignalDispatcher dispatcher = db.engine().dispatcher();
        dispatcher.register(consumer);
        // 1,300 signals of one subject (one partition) and a few of others: more than two batches
        // of 500 in one partition, beside partitions with a handful each.
        emitBusy(db, 1300);
        emit(db, db.admin(), 20, 2);
        dispatcher.runOnce();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 1300; i++) {
            expected.add(String.valueOf(i));
        }
        assertThat(consumer.seen.get("busy")).containsExactlyElementsOf(expected);
        assertThat(consumer.count()).isEqualTo(1300 + 40);
        assertThat(dispatcher.runOnce()).isZero();
    }

    /** The store, counting how the dispatcher asks it for work. */
    static final class CountingStore implements io.waymark.signal.SignalStore {
        final io.waymark.signal.SignalStore inner;
        final Map<String, AtomicInteger> calls = new java.util.concurrent.ConcurrentHashMap<>();

        CountingStore(io.waymark.signal.SignalStore inner) {
            this.inner = inner;
        }

        int count(String method) {
            return calls.getOrDefault(method, new AtomicInteger()).get();
        }

        private void called(String method) {
            calls.computeIfAbsent(method, k -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public List<Signal> append(List<io.waymark.signal.NewSignal> signals) {
            return inner.append(signals);
        }

        @Override
        public List<Signal> appendOnce(List<io.waymark.signal.NewSignal> signals) {
            return inner.appendOnce(signals);
        }

        @Override
        public io.waymark.signal.SignalPage query(UUID orgId, io.waymark.signal.SignalQuery query) {
            return inner.query(orgId, query);
        }

        @Override
        public Map<Integer, Long> heads() {
            return inner.heads();
        }

        @Override
        public List<Signal> read(int partition, long afterSeq, int limit) {
            called("read");
            return inner.read(partition, afterSeq, limit);
        }

        @Override
        public java.util.OptionalLong claim(String consumer, int partition) {
            called("claim");
            return inner.claim(consumer, partition);
        }

        @Override
        public void advance(String consumer, int partition, long seq) {
            inner.advance(consumer, partition, seq);
        }

        @Override
        public Map<String, Long> claimAll(int partition, List<String> consumers, java.util.Collection<String> missing) {
            called("claimAll");
            return inner.claimAll(partition, consumers, missing);
        }

        @Override
        public Map<Integer, Map<String, Long>> claimAcross(Map<Integer, List<String>> consumers, Map<Integer, List<String>> missing) {
            called("claimAcross");
            return inner.claimAcross(consumers, missing);
        }

        @Override
        public List<Signal> readAcross(List<long[]> ranges) {
            called("readAcross");
            return inner.readAcross(ranges);
        }

        @Override
        public void advanceAcross(Map<Integer, Map<String, Long>> seqs) {
            called("advanceAcross");
            inner.advanceAcross(seqs);
        }

        @Override
        public void deadLetter(String consumer, Signal signal, int attempts, String error) {
            inner.deadLetter(consumer, signal, attempts, error);
        }

        @Override
        public Map<Integer, Long> checkpoints(String consumer) {
            return inner.checkpoints(consumer);
        }
    }

    @BothDatabases
    void aPassTakesEveryPartitionWithSomethingNewAsOneBatchWithOneClaimReadAndAdvance(TestDb db) {
        CountingStore store = new CountingStore(new JdbcSignalStore((JdbcTransactor) db.store().transactor(),
                db.store().dialect(), db.clock()));
        SignalDispatcher dispatcher = new SignalDispatcher(store, db.store().transactor(), db.clock(), 500, 5);
        List<List<Signal>> batches = new ArrayList<>();
        Recording consumer = new Recording(db.admin().orgId()) {
            @Override
            public void beginBatch(List<Signal> batch) {
                batches.add(new ArrayList<>(batch));
            }
        };
        dispatcher.register(consumer);
        // First catch up with what other tests left in the database, then count one pass.
        dispatcher.runOnce();
        batches.clear();
        store.calls.clear();
        emit(db, db.admin(), 20, 2);
        dispatcher.runOnce();

        List<Signal> mine = batches.stream().flatMap(List::stream).filter(s -> s.type().equals("web.visit") && s.orgId().equals(db.admin().orgId())).toList();
        assertThat(mine).hasSize(40);
        assertThat(batches).hasSize(1);
        assertThat(batches.get(0).stream().map(Signal::partition).distinct().count()).isGreaterThan(1);
        assertThat(store.count("claimAcross")).isEqualTo(1);
        assertThat(store.count("readAcross")).isEqualTo(1);
        assertThat(store.count("advanceAcross")).isEqualTo(1);
        assertThat(store.count("claim") + store.count("claimAll") + store.count("read")).isZero();
        consumer.seen.values().forEach(list -> assertThat(list).containsExactly("0", "1"));
    }

    @BothDatabases
    void aConsumerFarBehindDoesNotHoldBackOnesThatAreUpToDate(TestDb db) {
        Recording early = new Recording(db.admin().orgId());
        SignalDispatcher dispatcher = db.engine().dispatcher();
        dispatcher.register(early);
        emitBusy(db, 1300);
        dispatcher.runOnce();
        Recording late = new Recording(db.admin().orgId());
        dispatcher.register(late);
        db.engine().signals().ingest(db.admin(), List.of(json("{'type': 'web.visit', 'subject': 'busy', 'payload': {'n': 'new'}}")));
        int[] lateHadSeen = {-1};
        early.before = s -> {
            if (s.payload().path("n").asText().equals("new")) {
                lateHadSeen[0] = late.count();
            }
        };
        dispatcher.runOnce();
        // The new signal reached the up-to-date consumer in the first transaction, while the one
        // that started from the beginning was taking its first batch (500), not after it caught up.
        assertThat(lateHadSeen[0]).isBetween(0, 500);
        assertThat(late.seen.get("busy")).hasSize(1301);
        assertThat(early.seen.get("busy")).hasSize(1301).endsWith("new");
    }

    /**
     * PostgreSQL only: H2 runs on one node and waits for a held row instead of skipping it. A
     * partition whose checkpoint row another node holds is left to that node; the others are
     * delivered in the same pass, and the held one once it is free, each signal once.
     */
    @BothDatabases
    void aPartitionHeldByAnotherNodeIsSkippedAndDeliveredOnceItIsFree(TestDb db) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(db.kind().equals("postgresql"),
                "H2 runs on one node: its claim waits for a held checkpoint row instead of skipping it");
        Recording consumer = new Recording(db.admin().orgId());
        SignalDispatcher dispatcher = db.engine().dispatcher();
        dispatcher.register(consumer);
        emit(db, db.admin(), 10, 1);
        dispatcher.runOnce();
        int held = io.waymark.signal.SignalLog.partitionOf(db.admin().orgId(), "cust-0");
        try (java.sql.Connection other = db.store().dataSource().getConnection()) {
            other.setAutoCommit(false);
            try (java.sql.PreparedStatement ps = other.prepareStatement(
                    "SELECT seq FROM consumer_checkpoints WHERE consumer = ? AND partition_no = ? FOR UPDATE")) {
                ps.setString(1, consumer.name());
                ps.setInt(2, held);
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                }
            }
            List<JsonNode> more = new ArrayList<>();
            for (int s = 0; s < 10; s++) {
                more.add(json("{'type': 'web.visit', 'subject': 'cust-" + s + "', 'payload': {'n': '1'}}"));
            }
            db.engine().signals().ingest(db.admin(), more);
            dispatcher.runOnce();
            for (int s = 0; s < 10; s++) {
                boolean sameAsHeld = io.waymark.signal.SignalLog.partitionOf(db.admin().orgId(), "cust-" + s) == held;
                assertThat(consumer.seen.get("cust-" + s)).containsExactlyElementsOf(sameAsHeld ? List.of("0") : List.of("0", "1"));
            }
            other.rollback();
        }
        dispatcher.runOnce();
        consumer.seen.values().forEach(list -> assertThat(list).containsExactly("0", "1"));
    }

    @BothDatabases
    void aNewNodeResumesFromTheStoredCheckpoint(TestDb db) {
        Recording first = new Recording(db.admin().orgId());
        db.engine().dispatcher().register(first);
        emit(db, db.admin(), 3, 2);
        db.engine().dispatcher().runOnce();

        Waymark restarted = db.store().engine(db.clock());
        Recording second = new Recording(db.admin().orgId()) {
            @Override
            public String name() {
                return first.name();
            }
        };
        restarted.dispatcher().register(second);
        emit(db, db.admin(), 3, 1);
        restarted.dispatcher().runOnce();
        assertThat(second.count()).isEqualTo(3);
    }

    @BothDatabases
    void aFailingConsumerIsRetriedAndItsWritesRollBackWithTheCheckpoint(TestDb db) {
        AtomicInteger failures = new AtomicInteger(2);
        Recording consumer = new Recording(db.admin().orgId());
        consumer.before = s -> {
            // The consumer's own write joins the delivery transaction, so a failure undoes it too.
            db.engine().records().create(db.admin(), "Tasks", json("{'Subject': 'Follow up " + s.subject() + "'}"));
            if (s.subject().equals("cust-1") && failures.getAndDecrement() > 0) {
                throw new IllegalStateException("mailer down");
            }
        };
        SignalDispatcher dispatcher = db.engine().dispatcher();
        dispatcher.register(consumer);
        emit(db, db.admin(), 2, 1);
        for (int i = 0; i < 5; i++) {
            db.clock().advance(Duration.ofMinutes(1));
            dispatcher.runOnce();
        }
        assertThat(consumer.seen.get("cust-1")).containsExactly("0");
        assertThat(db.engine().records().count(db.admin(), "Tasks", null)).isEqualTo(2);
    }

    @BothDatabases
    void aPoisonedSignalIsSetAsideAfterMaxAttemptsAndTheStreamGoesOn(TestDb db) {
        Recording consumer = new Recording(db.admin().orgId());
        consumer.before = s -> {
            if (s.payload().path("n").asText().equals("0") && s.subject().equals("cust-0")) {
                throw new IllegalStateException("cannot handle this one");
            }
        };
        SignalDispatcher dispatcher = db.engine().dispatcher();
        dispatcher.register(consumer);
        emit(db, db.admin(), 1, 3);
        for (int i = 0; i < 8; i++) {
            db.clock().advance(Duration.ofMinutes(2));
            dispatcher.runOnce();
        }
        assertThat(consumer.seen.get("cust-0")).containsExactly("1", "2");
        long dead = db.store().transactor().inTransaction(() -> {
            try (var c = db.store().dataSource().getConnection(); var ps = c.prepareStatement(
                    "SELECT COUNT(*) FROM consumer_dead_letters WHERE consumer = ?")) {
                ps.setString(1, consumer.name());
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(dead).isEqualTo(1);
    }
    @BothDatabases
    void consumersTakeABatchTogetherAndOneFailingDoesNotRepeatOrUndoTheOthers(TestDb db) {
        // Three consumers take each partition's batch in one transaction. The second fails twice
        // on cust-1: the shared transaction rolls back and they run one by one, so the first and
        // third still write their tasks exactly once, and the second's retry writes its own once.
        AtomicInteger failures = new AtomicInteger(2);
        List<Recording> all = new ArrayList<>();
        for (String tag : List.of("A", "B", "C")) {
            Recording consumer = new Recording(db.admin().orgId());
            consumer.before = s -> {
                db.engine().records().create(db.admin(), "Tasks", json("{'Subject': '" + tag + " " + s.subject() + "'}"));
                if (tag.equals("B") && s.subject().equals("cust-1") && failures.getAndDecrement() > 0) {
                    throw new IllegalStateException("mailer down");
                }
            };
            all.add(consumer);
            db.engine().dispatcher().register(consumer);
        }
        emit(db, db.admin(), 3, 2);
        for (int i = 0; i < 6; i++) {
            db.clock().advance(Duration.ofMinutes(1));
            db.engine().dispatcher().runOnce();
        }
        assertThat(failures.get()).isLessThanOrEqualTo(0);
        // 3 consumers x 3 subjects x 2 signals, each task once.
        assertThat(db.engine().records().count(db.admin(), "Tasks", null)).isEqualTo(18);
        for (String tag : List.of("A", "B", "C")) {
            for (int c = 0; c < 3; c++) {
                String subject = tag + " cust-" + c;
                long n = db.engine().records().list(db.admin(), "Tasks", null, null, 100, null).records().stream()
                        .filter(r -> subject.equals(r.values().get("Subject"))).count();
                assertThat(n).as(subject).isEqualTo(2);
            }
        }
        // Later signals flow to all three again, together.
        emit(db, db.admin(), 3, 1);
        db.engine().dispatcher().runOnce();
        assertThat(db.engine().records().count(db.admin(), "Tasks", null)).isEqualTo(27);
        for (Recording r : all) {
            r.seen.values().forEach(list -> assertThat(list).endsWith("0", "1", "0"));
        }
    }
}
