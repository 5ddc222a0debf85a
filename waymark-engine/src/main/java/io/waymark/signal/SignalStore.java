package io.waymark.signal;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Port: where signals are kept. Implementations must join the caller's transaction
 * ({@link io.waymark.tx.Transactor}) and keep each partition's {@code seq} in commit order, so
 * that a consumer that has read up to {@code seq} never later finds a smaller one appear.
 */
public interface SignalStore {
    /** Appends signals whose ids are new (made by the engine), in the given order. */
    List<Signal> append(List<NewSignal> signals);

    /**
     * Runs {@code work} (inside the caller's transaction) with the engine's appends held back and
     * written together at its end. A partition is locked from its first append until commit, so a
     * long transaction that appends as it goes (a batch of actions) would hold other writers back
     * the whole time; held back, the appends lock only for the final write. The signals that
     * {@link #append} returns meanwhile have no {@code seq} yet (-1). The default does not defer.
     */
    default <T> T deferringAppends(java.util.function.Supplier<T> work) {
        return work.get();
    }

    /**
     * Appends signals that may have been sent before (ids chosen by a client). A signal whose id
     * the organisation already has is skipped, and the stored one is returned in its place.
     */
    List<Signal> appendOnce(List<NewSignal> signals);

    SignalPage query(java.util.UUID orgId, SignalQuery query);

    /** The highest {@code seq} of every non-empty partition. */
    Map<Integer, Long> heads();

    /** Signals of one partition after {@code afterSeq}, in order, at most {@code limit}. */
    List<Signal> read(int partition, long afterSeq, int limit);

    /**
     * Locks a consumer's checkpoint of one partition for the current transaction and returns it
     * (0 if the consumer has not started), or empty if another node holds it now.
     */
    OptionalLong claim(String consumer, int partition);

    /** Moves a claimed checkpoint. */
    void advance(String consumer, int partition, long seq);

    /**
     * {@link #claim} for several consumers of one partition at once: the checkpoints of those
     * not held by another node now, by consumer. {@code missing} names the consumers that may
     * not have a checkpoint row for the partition yet (the others are known to have one).
     */
    default Map<String, Long> claimAll(int partition, java.util.List<String> consumers, java.util.Collection<String> missing) {
        Map<String, Long> out = new java.util.HashMap<>();
        for (String c : consumers) {
            claim(c, partition).ifPresent(seq -> out.put(c, seq));
        }
        return out;
    }

    /** {@link #advance} for several claimed checkpoints of one partition, by consumer. */
    default void advanceAll(int partition, Map<String, Long> seqs) {
        seqs.forEach((c, seq) -> advance(c, partition, seq));
    }

    /**
     * {@link #claimAll} for several partitions at once (one statement where the store can):
     * by partition, the checkpoints of the named consumers not held by another node now.
     */
    default Map<Integer, Map<String, Long>> claimAcross(Map<Integer, java.util.List<String>> consumers,
            Map<Integer, java.util.List<String>> missing) {
        Map<Integer, Map<String, Long>> out = new java.util.TreeMap<>();
        for (Map.Entry<Integer, java.util.List<String>> e : new java.util.TreeMap<>(consumers).entrySet()) {
            Map<String, Long> claimed = claimAll(e.getKey(), e.getValue(), missing.getOrDefault(e.getKey(), java.util.List.of()));
            if (!claimed.isEmpty()) {
                out.put(e.getKey(), claimed);
            }
        }
        return out;
    }

    /**
     * The signals of several ranges at once: each range is {@code {partition, after, upTo}} and
     * holds the signals of that partition with {@code after < seq <= upTo}. Ranges may overlap;
     * each signal comes once. Ordered by partition, then seq.
     */
    default List<Signal> readAcross(List<long[]> ranges) {
        java.util.TreeMap<Long, Signal> out = new java.util.TreeMap<>();
        for (long[] r : ranges) {
            int partition = (int) r[0];
            if (r[2] > r[1]) {
                for (Signal s : read(partition, r[1], (int) Math.min(Integer.MAX_VALUE, r[2] - r[1]))) {
                    if (s.seq() <= r[2]) {
                        out.put(((long) partition << 40) | s.seq(), s);
                    }
                }
            }
        }
        return new java.util.ArrayList<>(out.values());
    }

    /** {@link #advanceAll} for several partitions: by partition, then by consumer. */
    default void advanceAcross(Map<Integer, Map<String, Long>> seqs) {
        new java.util.TreeMap<>(seqs).forEach(this::advanceAll);
    }

    /** Records that a consumer gave up on a signal after repeated failures. */
    void deadLetter(String consumer, Signal signal, int attempts, String error);

    /** The checkpoints of a consumer, by partition. */
    Map<Integer, Long> checkpoints(String consumer);
}
