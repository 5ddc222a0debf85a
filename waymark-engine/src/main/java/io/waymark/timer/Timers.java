package io.waymark.timer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import io.waymark.signal.NewSignal;
import io.waymark.signal.SignalStore;
import io.waymark.tx.Transactor;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Persistent timers that fire as {@code timer.fired} signals. Automations set a timer in the
 * transaction of their decision ({@link #schedule}); when it is due the scheduler appends the
 * signal and removes the timer in one transaction (exactly once), and the automation reacts to
 * the signal like to any other, in the subject's order.
 * Time is the engine's clock, so a test moves a settable clock and calls {@link #runDue()}.
 */
public final class Timers implements AutoCloseable {
    public static final String FIRED = "timer.fired";
    private final TimerScheduler scheduler;
    private final SignalStore signals;
    private final Transactor tx;
    private final Clock clock;
    private final Runnable afterFire;

    public Timers(TimerScheduler scheduler, SignalStore signals, Transactor tx, Clock clock, Runnable afterFire) {
        this.scheduler = scheduler;
        this.signals = signals;
        this.tx = tx;
        this.clock = clock;
        this.afterFire = afterFire;
        scheduler.onFire(this::fire);
    }

    /** Sets (or moves) a timer, joining the caller's transaction. */
    public void schedule(Timer timer) {
        schedule(List.of(timer));
    }

    /** Sets (or moves) timers, joining the caller's transaction. */
    public void schedule(Collection<Timer> timers) {
        for (Timer t : timers) {
            if (t.key() == null || t.key().isBlank() || t.key().length() > 200) {
                throw new ValidationException("Invalid timer", List.of(new FieldError("key", "must be 1 to 200 characters")));
            }
            if (t.subject() == null || t.dueAt() == null) {
                throw new ValidationException("Invalid timer", List.of(new FieldError("due_at", "a timer needs a subject and a due time")));
            }
        }
        if (!timers.isEmpty()) {
            tx.run(() -> scheduler.schedule(timers));
        }
    }

    /** Drops a timer; returns whether it was pending. */
    public boolean cancel(Actor actor, String key) {
        return cancel(actor.orgId(), List.of(key)) > 0;
    }

    /** Drops timers, joining the caller's transaction; returns how many were pending. */
    public int cancel(UUID orgId, Collection<String> keys) {
        return keys.isEmpty() ? 0 : tx.inTransaction(() -> scheduler.cancel(orgId, keys));
    }

    public Optional<Timer> find(UUID orgId, String key) {
        return scheduler.find(orgId, key);
    }

    public List<Timer> pending(UUID orgId, String keyPrefix, int limit) {
        return scheduler.pending(orgId, keyPrefix, limit);
    }

    /** Fires every timer due now; returns how many fired. Deterministic, for tests. */
    public int runDue() {
        return scheduler.runDue();
    }

    public void start() {
        scheduler.start();
    }

    @Override
    public void close() {
        scheduler.close();
    }

    /**
     * Appends the signals of due timers, in the scheduler's transaction that removes them. Ids
     * are derived from key and due time, so even a timer fired twice (set again after a restore
     * from backup, say) appends its signal once.
     */
    void fire(List<Timer> due) {
        signals.appendOnce(due.stream().map(Timers::signal).toList());
        afterFire.run();
    }

    private static NewSignal signal(Timer t) {
        ObjectNode p = Json.object();
        p.put("key", t.key());
        p.put("purpose", t.purpose());
        p.put("due_at", t.dueAt().toString());
        p.set("data", t.data() == null ? Json.object() : t.data());
        UUID id = UUID.nameUUIDFromBytes((t.orgId() + "|" + t.key() + "|" + t.dueAt()).getBytes(StandardCharsets.UTF_8));
        return new NewSignal(id, t.orgId(), FIRED, t.subject(), t.module(), t.recordId(), p, t.dueAt(), Actor.SYSTEM_USER);
    }
}
