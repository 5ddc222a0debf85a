package io.waymark.timer;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Port: a persistent, cluster-safe scheduler (the store implements it with db-scheduler). Scheduling
 * and cancelling join the caller's transaction, so a timer is set or dropped together with the
 * decision that made it. Due timers are handed to the handler in batches, inside the transaction
 * that removes them: a timer fires exactly once, and a node that dies mid-way leaves it pending.
 */
public interface TimerScheduler extends AutoCloseable {
    /** The code that runs for due timers, inside the transaction that removes them (set once, by the engine). */
    void onFire(Consumer<List<Timer>> handler);

    /** Sets timers, replacing those with the same keys. */
    void schedule(Collection<Timer> timers);

    /** Drops timers by key; returns how many were pending. */
    int cancel(UUID orgId, Collection<String> keys);

    Optional<Timer> find(UUID orgId, String key);

    /** Pending timers of an organisation whose key starts with {@code keyPrefix}, soonest first. */
    List<Timer> pending(UUID orgId, String keyPrefix, int limit);

    /** Fires every timer due by the clock now, in this thread, and returns how many fired. For tests. */
    int runDue();

    /** Starts firing in the background. */
    void start();

    /** Stops firing, letting running handlers finish. */
    @Override
    void close();
}
