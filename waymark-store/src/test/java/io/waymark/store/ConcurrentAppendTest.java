package io.waymark.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.json.Json;
import io.waymark.signal.Signal;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Several appenders at once, each batch spanning many partitions in no particular order (as an
 * ingest and the outbox workers append): none of them fails (no deadlock: every appender locks
 * the partitions in the same order), a partition's numbers have no gap and no repeat, and a
 * reader following the log as it grows never sees a signal before one with a lower number in
 * its partition (numbers are given in commit order, so the dispatcher, reading from its
 * checkpoint, cannot pass over a signal committed later).
 */
class ConcurrentAppendTest {
    private static final int THREADS = 4;
    private static final int BATCHES = 25;
    private static final int BATCH = 40;

    @BothDatabases
    void concurrentAppendersNumberEachPartitionInCommitOrder(TestDb db) throws Exception {
        JdbcSignalStore store = PartitionReadTest.store(db);
        String run = java.util.UUID.randomUUID().toString();
        List<String> subjects = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            subjects.add("visitor:" + run + ":" + i);
        }
        Map<Integer, Long> start = new HashMap<>(store.heads());
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Signal> appended = new ConcurrentLinkedQueue<>();
        AtomicBoolean appending = new AtomicBoolean(true);
        CountDownLatch go = new CountDownLatch(1);

        // The reader: from each partition's head at the start, everything it reads must follow
        // on from what it read before, without a gap.
        Map<Integer, Long> position = new HashMap<>(start);
        List<String> gaps = Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            try {
                go.await();
                boolean last = false;
                while (!last) {
                    last = !appending.get();
                    for (int p = 0; p < io.waymark.signal.SignalLog.PARTITIONS; p++) {
                        long from = position.getOrDefault(p, 0L);
                        for (Signal s : store.read(p, from, 1000)) {
                            if (s.seq() != from + 1) {
                                gaps.add("partition " + p + ": read " + s.seq() + " after " + from);
                            }
                            from = s.seq();
                        }
                        position.put(p, from);
                    }
                }
            } catch (Throwable t) {
                errors.add(t);
            }
        }, "reader");
        reader.start();

        List<Thread> appenders = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            Thread appender = new Thread(() -> {
                Random random = new Random(thread);
                try {
                    go.await();
                    for (int b = 0; b < BATCHES; b++) {
                        List<JsonNode> batch = new ArrayList<>();
                        for (int i = 0; i < BATCH; i++) {
                            ObjectNode s = Json.object();
                            s.put("type", "web.visit").put("subject", subjects.get(random.nextInt(subjects.size())));
                            s.putObject("payload").put("thread", thread).put("n", b * BATCH + i);
                            batch.add(s);
                        }
                        appended.addAll(db.engine().signals().ingest(db.admin(), batch));
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }, "appender-" + t);
            appender.start();
            appenders.add(appender);
        }
        go.countDown();
        for (Thread appender : appenders) {
            appender.join(120_000);
            assertThat(appender.isAlive()).as("%s finished", appender.getName()).isFalse();
        }
        appending.set(false);
        reader.join(120_000);
        assertThat(reader.isAlive()).as("the reader finished").isFalse();

        assertThat(errors).isEmpty();
        assertThat(gaps).isEmpty();
        assertThat(appended).hasSize(THREADS * BATCHES * BATCH);
        // Every number from each partition's starting head to its head now is used once.
        Map<Integer, Long> end = store.heads();
        Map<Integer, List<Long>> numbers = new HashMap<>();
        Map<String, java.util.UUID> storedAt = new HashMap<>();
        for (Map.Entry<Integer, Long> head : end.entrySet()) {
            long from = start.getOrDefault(head.getKey(), 0L);
            List<Long> seqs = new ArrayList<>();
            for (List<Signal> read = store.read(head.getKey(), from, 1000); !read.isEmpty(); read = store.read(head.getKey(), from, 1000)) {
                read.forEach(s -> {
                    seqs.add(s.seq());
                    storedAt.put(s.partition() + ":" + s.seq(), s.id());
                });
                from = read.get(read.size() - 1).seq();
            }
            numbers.put(head.getKey(), seqs);
            assertThat(seqs).as("partition %d", head.getKey()).hasSize((int) (head.getValue() - start.getOrDefault(head.getKey(), 0L)));
        }
        // What each appender was told matches what is stored, and one appender's signals of a
        // subject keep the order it appended them in.
        Map<String, Long> lastSeq = new HashMap<>();
        List<Signal> inOrder = new ArrayList<>(appended);
        inOrder.sort(java.util.Comparator.comparingInt((Signal s) -> s.payload().path("thread").asInt()).thenComparingInt(s -> s.payload().path("n").asInt()));
        for (Signal s : inOrder) {
            // The number each appender was told is the one its signal is stored under.
            assertThat(storedAt.get(s.partition() + ":" + s.seq())).isEqualTo(s.id());
            String key = s.payload().path("thread").asInt() + "|" + s.subject();
            Long before = lastSeq.put(key, s.seq());
            if (before != null) {
                assertThat(s.seq()).isGreaterThan(before);
            }
        }
        assertThat(appended.stream().map(s -> s.partition() + ":" + s.seq()).distinct().count()).isEqualTo(appended.size());
    }
}
