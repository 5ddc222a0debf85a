package io.waymark.signal;

import io.waymark.tx.Transactor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the signal log to its consumers: in per-subject order (each partition in sequence),
 * at least once, with a checkpoint per consumer and partition that moves in the same transaction
 * as the consumer's own writes. Several nodes can run one each: a partition is worked on by one
 * node at a time (its checkpoint row is locked, and others skip it).
 *
 * <p>A consumer that throws has its batch rolled back and retried, one signal at a time, with
 * exponential back-off (read from the injected clock); after {@code maxAttempts} the signal is
 * put in the dead-letter table and the consumer moves past it, so one poisoned signal cannot stop
 * a customer's stream forever.
 */
public final class SignalDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SignalDispatcher.class);

    private final SignalStore store;
    private final Transactor tx;
    private final Clock clock;
    private final int batchSize;
    private final int maxAttempts;
    private final List<SignalConsumer> consumers = new CopyOnWriteArrayList<>();
    private final List<PassListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, Map<Integer, Long>> known = new HashMap<>();
    private final Map<String, Failure> failures = new HashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private boolean pending;
    private volatile boolean running;
    private Thread thread;

    private record Failure(long seq, int attempts, Instant retryAt) {
    }

    public SignalDispatcher(SignalStore store, Transactor tx, Clock clock, int batchSize, int maxAttempts) {
        this.store = store;
        this.tx = tx;
        this.clock = clock;
        this.batchSize = batchSize;
        this.maxAttempts = maxAttempts;
    }

    public void register(SignalConsumer consumer) {
        consumers.add(consumer);
    }

    /** Told of every pass that delivered something (for metrics). */
    @FunctionalInterface
    public interface PassListener {
        /**
         * @param nanos      how long the pass took, reading, delivering and committing
         * @param deliveries signals delivered, once per consumer that took each
         */
        void passed(long nanos, int deliveries);
    }

    /** A listener's registration; closing it removes the listener. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Adds a listener, called on the dispatching thread after each pass that delivered something;
     * it must be quick. Closing the returned registration removes it.
     */
    public Registration onPass(PassListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * How far behind each registered consumer is, as stored: per consumer, the signals appended
     * that it has not taken yet, summed over the partitions (a dead-lettered signal counts as
     * taken). Reads the heads and each consumer's checkpoints: for monitoring, not for every call.
     */
    public Map<String, Long> lag() {
        Map<Integer, Long> heads = store.heads();
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        for (SignalConsumer consumer : consumers) {
            Map<Integer, Long> done = store.checkpoints(consumer.name());
            long behind = 0;
            for (Map.Entry<Integer, Long> head : heads.entrySet()) {
                behind += Math.max(0L, head.getValue() - done.getOrDefault(head.getKey(), 0L));
            }
            out.put(consumer.name(), behind);
        }
        return out;
    }

    /**
     * Delivers everything appended so far that is due now, then returns how many deliveries it
     * made. Deterministic: tests call this instead of starting the background thread.
     */
    public synchronized int runOnce() {
        long started = System.nanoTime();
        int delivered = deliverDue();
        if (delivered > 0) {
            long took = System.nanoTime() - started;
            for (PassListener listener : listeners) {
                try {
                    listener.passed(took, delivered);
                } catch (RuntimeException e) {
                    LOG.warn("a dispatcher pass listener failed", e);
                }
            }
        }
        return delivered;
    }

    private int deliverDue() {
        int delivered = 0;
        // One query for every partition's head; a partition whose head every consumer has
        // reached (by the checkpoints this node knows) costs nothing more.
        Map<Integer, Long> heads = store.heads();
        // Across partitions first, as long as that moves anything; what is left (a failing
        // consumer, a chunk that threw) goes partition by partition below.
        Set<Integer> failed = new HashSet<>();
        for (int n = drainAcross(heads, failed); n > 0; n = drainAcross(heads, failed)) {
            delivered += n;
        }
        for (Map.Entry<Integer, Long> head : heads.entrySet()) {
            int partition = head.getKey();
            Recent recent = new Recent();
            Set<SignalConsumer> stopped = new HashSet<>();
            boolean progress = true;
            while (progress) {
                progress = false;
                // The consumers that are behind and in good standing take the batch together, in
                // one transaction that moves all their checkpoints. If any of them throws, that
                // transaction rolls back (leaving no trace) and they run one at a time below, so
                // a failing consumer retries and dead-letters alone, and the others' effects
                // happen once, in their own transactions.
                List<SignalConsumer> together = new ArrayList<>();
                List<SignalConsumer> alone = new ArrayList<>();
                for (SignalConsumer consumer : consumers) {
                    Map<Integer, Long> done = known(consumer);
                    if (stopped.contains(consumer) || done.getOrDefault(partition, 0L) >= head.getValue()) {
                        continue;
                    }
                    (failures.containsKey(consumer.name() + "#" + partition) ? alone : together).add(consumer);
                }
                if (together.size() > 1) {
                    int n = drainTogether(together, partition, recent, stopped);
                    if (n >= 0) {
                        delivered += n;
                        progress |= n > 0;
                        together.clear();
                    }
                }
                alone.addAll(0, together);
                for (SignalConsumer consumer : alone) {
                    int n = drain(consumer, partition, known(consumer), recent);
                    if (n <= 0) {
                        stopped.add(consumer);
                    } else {
                        delivered += n;
                        progress = true;
                    }
                }
            }
        }
        return delivered;
    }

    /**
     * Delivers the partitions with something new together: up to about {@code batchSize}
     * signals between them (at most {@code batchSize} of any one partition) go to the consumers
     * in good standing as ONE batch per consumer, in ONE transaction that claims and moves all
     * their checkpoints. So a pass that moves a few signals in each of many partitions costs a
     * handful of statements, not a handful per partition, and a consumer reads what it needs
     * for the whole batch at once ({@link SignalConsumer#beginBatch}). Each partition's signals
     * stay in order (a subject lives in one partition). If anything throws, the transaction rolls
     * back, leaving no trace, and those partitions are added to {@code failed}: the
     * partition-by-partition loop of {@link #runOnce} delivers them and isolates the failure.
     * Returns the deliveries made.
     */
    private int drainAcross(Map<Integer, Long> heads, Set<Integer> failed) {
        int delivered = 0;
        List<Integer> chunk = new ArrayList<>();
        long size = 0;
        for (Map.Entry<Integer, Long> head : new java.util.TreeMap<>(heads).entrySet()) {
            int partition = head.getKey();
            if (failed.contains(partition)) {
                continue;
            }
            long behind = 0;
            for (SignalConsumer consumer : consumers) {
                if (failures.containsKey(consumer.name() + "#" + partition)) {
                    behind = -1;
                    break;
                }
                behind = Math.max(behind, head.getValue() - known(consumer).getOrDefault(partition, 0L));
            }
            if (behind <= 0) {
                continue;
            }
            if (!chunk.isEmpty() && size + Math.min(behind, batchSize) > batchSize) {
                delivered += drainChunk(chunk, heads, failed);
                chunk.clear();
                size = 0;
            }
            chunk.add(partition);
            size += Math.min(behind, batchSize);
        }
        if (!chunk.isEmpty()) {
            delivered += drainChunk(chunk, heads, failed);
        }
        return delivered;
    }

    private int drainChunk(List<Integer> partitions, Map<Integer, Long> heads, Set<Integer> failed) {
        Map<String, Map<Integer, Long>> moved = new HashMap<>();
        int[] count = {0};
        try {
            tx.run(() -> {
                moved.clear();
                count[0] = 0;
                Map<Integer, List<String>> names = new HashMap<>();
                Map<Integer, List<String>> missing = new HashMap<>();
                for (int partition : partitions) {
                    for (SignalConsumer c : consumers) {
                        if (known(c).getOrDefault(partition, 0L) < heads.get(partition)) {
                            names.computeIfAbsent(partition, k -> new ArrayList<>()).add(c.name());
                            if (!known(c).containsKey(partition)) {
                                missing.computeIfAbsent(partition, k -> new ArrayList<>()).add(c.name());
                            }
                        }
                    }
                }
                if (names.isEmpty()) {
                    return;
                }
                Map<Integer, Map<String, Long>> claimed = store.claimAcross(names, missing);
                // One read for every consumer: from each consumer's own checkpoint, at most
                // batchSize signals, never past the head this pass saw. Consumers at the same
                // checkpoint (the usual case) share one range; one far behind (a consumer added
                // later) reads its own, so it does not hold back those that are up to date.
                List<long[]> ranges = new ArrayList<>();
                claimed.forEach((partition, byConsumer) -> {
                    for (long from : new java.util.TreeSet<>(byConsumer.values())) {
                        long upTo = Math.min(heads.get(partition), from + batchSize);
                        if (upTo > from) {
                            ranges.add(new long[] {partition, from, upTo});
                        }
                    }
                });
                List<Signal> read = store.readAcross(ranges);
                Map<Integer, Map<String, Long>> advanced = new HashMap<>();
                for (SignalConsumer consumer : consumers) {
                    List<Signal> batch = new ArrayList<>();
                    for (Signal s : read) {
                        Long from = claimed.getOrDefault(s.partition(), Map.of()).get(consumer.name());
                        if (from != null && s.seq() > from && s.seq() <= from + batchSize) {
                            batch.add(s);
                        }
                    }
                    if (batch.isEmpty()) {
                        continue;
                    }
                    consumer.beginBatch(batch);
                    for (Signal s : batch) {
                        consumer.accept(s);
                    }
                    consumer.endBatch();
                    for (Signal s : batch) {
                        advanced.computeIfAbsent(s.partition(), k -> new HashMap<>()).put(consumer.name(), s.seq());
                        moved.computeIfAbsent(consumer.name(), k -> new HashMap<>()).put(s.partition(), s.seq());
                    }
                    count[0] += batch.size();
                }
                if (!advanced.isEmpty()) {
                    store.advanceAcross(advanced);
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("{} partitions failed together; delivering them one by one: {}", partitions.size(), e.toString());
            failed.addAll(partitions);
            return 0;
        }
        for (SignalConsumer consumer : consumers) {
            Map<Integer, Long> m = moved.get(consumer.name());
            if (m != null) {
                known(consumer).putAll(m);
            }
        }
        return count[0];
    }

    private Map<Integer, Long> known(SignalConsumer consumer) {
        return known.computeIfAbsent(consumer.name(), n -> new HashMap<>(store.checkpoints(n)));
    }

    /**
     * One batch of one partition for several consumers, in one transaction that advances each
     * one's checkpoint. Returns the deliveries, or -1 if a consumer threw (everything rolled
     * back; the caller runs them one by one). A consumer claimed elsewhere or with nothing new
     * is added to {@code stopped}.
     */
    private int drainTogether(List<SignalConsumer> group, int partition, Recent recent, Set<SignalConsumer> stopped) {
        Map<SignalConsumer, Long> last = new HashMap<>();
        Set<SignalConsumer> advanced = new HashSet<>();
        int[] count = {0};
        try {
            tx.run(() -> {
                last.clear();
                advanced.clear();
                count[0] = 0;
                List<String> names = new ArrayList<>(group.size());
                List<String> missing = new ArrayList<>();
                for (SignalConsumer c : group) {
                    names.add(c.name());
                    if (!known(c).containsKey(partition)) {
                        missing.add(c.name());
                    }
                }
                Map<String, Long> claimed = store.claimAll(partition, names, missing);
                Map<String, Long> moved = new HashMap<>();
                for (SignalConsumer consumer : group) {
                    Long from = claimed.get(consumer.name());
                    if (from == null) {
                        continue;
                    }
                    List<Signal> batch = recent.after(from, batchSize);
                    if (batch == null) {
                        batch = store.read(partition, from, batchSize);
                        recent.from = from;
                        recent.signals = batch;
                    }
                    if (batch.isEmpty()) {
                        last.put(consumer, from);
                        continue;
                    }
                    consumer.beginBatch(batch);
                    for (Signal s : batch) {
                        consumer.accept(s);
                    }
                    consumer.endBatch();
                    long to = batch.get(batch.size() - 1).seq();
                    last.put(consumer, to);
                    moved.put(consumer.name(), to);
                    advanced.add(consumer);
                    count[0] += batch.size();
                }
                if (!moved.isEmpty()) {
                    store.advanceAll(partition, moved);
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("partition={} failed for {} consumers together; running them one by one: {}", partition, group.size(), e.toString());
            return -1;
        }
        for (SignalConsumer consumer : group) {
            Long to = last.get(consumer);
            if (to != null) {
                known(consumer).put(partition, to);
            }
            if (!advanced.contains(consumer)) {
                stopped.add(consumer);
            }
        }
        return count[0];
    }

    /** The last batch read of one partition: every signal it held after {@code from}, up to the last one read. */
    private static final class Recent {
        long from = Long.MAX_VALUE;
        List<Signal> signals = List.of();

        /**
         * The signals after {@code after}, at most {@code limit}: a prefix of what a read would
         * return now. Null when this batch cannot tell (it starts later, or ends before).
         */
        List<Signal> after(long after, int limit) {
            if (after < from || signals.isEmpty() || signals.get(signals.size() - 1).seq() <= after) {
                return null;
            }
            int start = 0;
            while (signals.get(start).seq() <= after) {
                start++;
            }
            return signals.subList(start, Math.min(signals.size(), start + limit));
        }
    }

    /** One batch of one partition for one consumer; returns deliveries, 0 if claimed elsewhere, -1 on failure. */
    private int drain(SignalConsumer consumer, int partition, Map<Integer, Long> done, Recent recent) {
        String key = consumer.name() + "#" + partition;
        Failure failure = failures.get(key);
        if (failure != null && clock.instant().isBefore(failure.retryAt)) {
            return -1;
        }
        long[] last = {-1};
        int[] count = {0};
        Signal[] current = {null};
        try {
            tx.run(() -> {
                OptionalLong claimed = store.claim(consumer.name(), partition);
                if (claimed.isEmpty()) {
                    return;
                }
                long from = claimed.getAsLong();
                // After a failure: everything before the failing signal in one batch, then that
                // signal alone, so that its attempts are counted and nothing else is held back.
                int limit = failure == null || failure.seq <= from ? batchSize
                        : (int) Math.max(1, Math.min(batchSize, failure.seq - from));
                List<Signal> batch = recent.after(from, limit);
                if (batch == null) {
                    batch = store.read(partition, from, limit);
                    recent.from = from;
                    recent.signals = batch;
                }
                if (!batch.isEmpty()) {
                    // A failure here counts against the batch's first signal, so that it is retried
                    // alone and, if it keeps failing, set aside like any other poisoned signal.
                    current[0] = batch.get(0);
                    consumer.beginBatch(batch);
                }
                for (Signal s : batch) {
                    current[0] = s;
                    consumer.accept(s);
                    count[0]++;
                }
                if (!batch.isEmpty()) {
                    consumer.endBatch();
                }
                last[0] = batch.isEmpty() ? from : batch.get(batch.size() - 1).seq();
                if (!batch.isEmpty()) {
                    store.advance(consumer.name(), partition, last[0]);
                }
            });
        } catch (RuntimeException e) {
            Signal s = current[0];
            int attempts = failure != null && s != null && failure.seq == s.seq() ? failure.attempts + 1 : 1;
            if (s != null && attempts >= maxAttempts) {
                LOG.error("consumer={} partition={} signal={} type={} gave up after {} attempts", consumer.name(), partition, s.id(), s.type(), attempts, e);
                tx.run(() -> {
                    if (store.claim(consumer.name(), partition).isPresent()) {
                        store.deadLetter(consumer.name(), s, attempts, String.valueOf(e));
                        store.advance(consumer.name(), partition, s.seq());
                    }
                });
                failures.remove(key);
                done.put(partition, s.seq());
                return 1;
            }
            long backoff = Math.min(60_000, 100L << Math.min(attempts, 10));
            failures.put(key, new Failure(s == null ? -1 : s.seq(), attempts, clock.instant().plus(Duration.ofMillis(backoff))));
            LOG.warn("consumer={} partition={} signal={} attempt={} failed: {}", consumer.name(), partition, s == null ? null : s.id(), attempts, e.toString());
            return -1;
        }
        if (last[0] < 0) {
            return 0;
        }
        if (failure != null && last[0] >= failure.seq) {
            failures.remove(key);
        }
        done.put(partition, last[0]);
        return count[0];
    }

    /** Tells the background thread that new signals may be there. Cheap; call after every append. */
    public void wake() {
        lock.lock();
        try {
            pending = true;
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Starts delivering in the background, polling at least every {@code poll} (for other nodes' appends). */
    public void start(Duration poll) {
        running = true;
        thread = new Thread(() -> {
            while (running) {
                try {
                    runOnce();
                    lock.lock();
                    try {
                        if (!pending && running) {
                            work.await(poll.toMillis(), TimeUnit.MILLISECONDS);
                        }
                        pending = false;
                    } finally {
                        lock.unlock();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    LOG.error("signal dispatch failed; retrying", e);
                    try {
                        Thread.sleep(poll.toMillis());
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }, "waymark-signal-dispatcher");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        running = false;
        wake();
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Names of the registered consumers. */
    public List<String> consumerNames() {
        List<String> names = new ArrayList<>();
        consumers.forEach(c -> names.add(c.name()));
        return names;
    }
}
