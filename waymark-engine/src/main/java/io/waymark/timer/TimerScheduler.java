package io.waymark.timer;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Port: a persistent, cluster-safe scheduler (the store implements it on db-scheduler). Scheduling
 * and cancelling join the caller's transaction, so a timer is set or dropped together with the
 * decision that made it. When a timer is due, exactly one node calls the handler; if that node
 * dies mid-way the timer runs again, so the handler must be idempotent.
 */
public interface TimerScheduler extends AutoCloseable {
    /** The code that runs when a timer is due (set once, by the engine). */
    void onFire(Consumer<Timer> handler);

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
