package io.waymark.signal;

/**
 * An automation that reacts to signals. The {@link SignalDispatcher} calls {@link #accept} for
 * each signal in per-subject order, inside the transaction that also moves the consumer's
 * checkpoint: whatever the consumer writes through the stores commits with it, or not at all.
 * Delivery is at least once (a crash after the work but before the commit repeats it), so a
 * consumer's effects outside the database must be idempotent — which is why automations act on
 * the world only through the outbox.
 */
public interface SignalConsumer {
    /** A stable name; the checkpoint is kept under it. */
    String name();

    /** Reacts to one signal. Throwing rolls back the batch; it will be retried. */
    void accept(Signal signal);

    /**
     * Called in the transaction before the signals of one batch are given to {@link #accept}, one
     * by one: a consumer may read what it needs for the whole batch at once here.
     */
    default void beginBatch(java.util.List<Signal> batch) {
    }

    /**
     * Called in the transaction after the last {@link #accept} of a batch, before the checkpoint
     * moves: a consumer may write what it decided for the whole batch at once here. Not called
     * when the batch failed (it is rolled back; the next {@link #beginBatch} starts afresh).
     */
    default void endBatch() {
    }
}
