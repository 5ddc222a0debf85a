package io.waymark.action;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.error.ConflictException;
import io.waymark.error.FieldError;
import io.waymark.error.NotFoundException;
import io.waymark.error.ValidationException;
import io.waymark.error.WaymarkException;
import io.waymark.identity.Access;
import io.waymark.identity.Capability;
import io.waymark.json.Json;
import io.waymark.signal.Causation;
import io.waymark.signal.NewSignal;
import io.waymark.signal.SignalStore;
import io.waymark.tx.Transactor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox: automations write the actions they decide on here, in the transaction of the
 * decision ({@link #enqueue}); workers then run them.
 *
 * <ul>
 *   <li>A {@linkplain TransactionalActionType transactional} action runs inside the transaction
 *       that marks its entry done and appends its {@code action.succeeded} signal: exactly once.
 *       A batch of them shares one transaction; if one throws, the batch is rolled back and each
 *       entry is run alone, so one bad action delays the others by one step only. Entries of a
 *       {@linkplain BatchedActionType batched} type (field updates) run together, per module, in
 *       one go: one read of their records, one batched write, one signal append; each still
 *       succeeds or fails on its own, within the batch.</li>
 *   <li>Any other action (email, webhook) is leased, run outside any transaction with its
 *       idempotency key, then marked: at least once. A crash while it runs leaves a lapsed lease,
 *       and another worker tries again with the same key.</li>
 *   <li>A failure is retried with exponential back-off and jitter (read from the injected clock)
 *       until {@code maxAttempts}; then, or at once for a permanent failure, the entry is
 *       {@code failed} and an {@code action.failed} signal gives the reason.</li>
 * </ul>
 */
public final class Outbox implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

    private final OutboxStore store;
    private final SignalStore signals;
    private final ActionCatalog catalog;
    private final Transactor tx;
    private final Clock clock;
    private final Access access;
    private final Settings settings;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    /** Wakes so far (guarded by {@link #lock}): a worker that saw a wake since it last looked does not wait. */
    private long wakes;
    private volatile boolean running;
    private final List<Thread> threads = new ArrayList<>();
    private volatile FaultInjector faults = FaultInjector.NONE;

    /**
     * Tuning of the outbox.
     *
     * @param maxAttempts tries before an entry is failed (default 5)
     * @param backoff     the delay after the first failure; it doubles with each further one (default 10 s)
     * @param maxBackoff  the longest delay (default 1 h)
     * @param lease       how long an outside call may take before another worker may retry it (default 5 min)
     * @param batchSize   transactional entries per transaction (default 200)
     */
    public record Settings(int maxAttempts, Duration backoff, Duration maxBackoff, Duration lease, int batchSize) {
        public static Settings defaults() {
            return new Settings(5, Duration.ofSeconds(10), Duration.ofHours(1), Duration.ofMinutes(5), 200);
        }
    }

    /**
     * Points where a test can make a worker fail, as a crash would: before the action's effect,
     * after it, or after everything but before the commit.
     */
    public interface FaultInjector {
        FaultInjector NONE = (point, entry) -> { };

        /** Where a fault can be injected. */
        enum Point { BEFORE_EFFECT, AFTER_EFFECT, BEFORE_COMMIT }

        void at(Point point, OutboxEntry entry);
    }

    public Outbox(OutboxStore store, SignalStore signals, ActionCatalog catalog, Transactor tx, Clock clock, Access access, Settings settings) {
        this.store = store;
        this.signals = signals;
        this.catalog = catalog;
        this.tx = tx;
        this.clock = clock;
        this.access = access;
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /** For crash tests: where to fail. */
    public void injectFaults(FaultInjector injector) {
        this.faults = injector == null ? FaultInjector.NONE : injector;
    }

    /** An action to enqueue. */
    public record NewAction(UUID orgId, String source, ActionDefinition action, String module, UUID recordId, String subject,
                            UUID causeSignal, int depth) {
    }

    /**
     * Writes entries for actions, joining the caller's transaction (so they commit with the
     * decision that made them, or not at all). Returns the entries.
     */
    public List<OutboxEntry> enqueue(List<NewAction> actions) {
        if (actions.isEmpty()) {
            return List.of();
        }
        Instant now = clock.instant();
        List<OutboxEntry> entries = new ArrayList<>(actions.size());
        for (NewAction a : actions) {
            if (catalog.find(a.action().type()).isEmpty()) {
                throw new IllegalArgumentException("Unknown action type " + a.action().type());
            }
            entries.add(new OutboxEntry(Ids.next(clock), a.orgId(), a.source(), a.action().type(), a.action().config(), a.module(),
                    a.recordId(), a.subject(), Actor.SYSTEM_USER, catalog.transactional(a.action().type()), OutboxEntry.Status.PENDING, 0,
                    settings.maxAttempts(), now, null, null, a.causeSignal(), a.depth(), now, now));
        }
        tx.run(() -> store.insert(entries));
        // The workers could not see the entries before the commit: they are woken after it.
        tx.afterCommit(wakeUp);
        return entries;
    }

    /** {@link #wake}, as one object, so that a transaction that enqueues many times wakes the workers once. */
    private final Runnable wakeUp = this::wake;

    // ------------------------------------------------------------------ running

    /**
     * Runs every entry due now, until none is left, and returns how many attempts it made.
     * Deterministic: tests call this instead of {@link #start}.
     */
    public int runDue() {
        return runDue(0, 1);
    }

    /** {@link #runDue} for worker {@code shard} of {@code shards} (transactional entries of its share of the records). */
    int runDue(int shard, int shards) {
        int total = 0;
        while (true) {
            int n = runTransactionalBatch(shard, shards) + runExternalBatch();
            total += n;
            if (n == 0) {
                return total;
            }
        }
    }

    /** One transaction's worth of transactional entries; returns attempts made. */
    int runTransactionalBatch() {
        return runTransactionalBatch(0, 1);
    }

    int runTransactionalBatch(int shard, int shards) {
        List<OutboxEntry> taken = new ArrayList<>();
        try {
            // The effects' signals are held back and appended at the end of the batch, so the
            // partitions they lock are held for the final write only, not for the whole batch.
            tx.run(() -> {
                signals.deferringAppends(() -> {
                List<OutboxEntry> due = new ArrayList<>(store.lockDueTransactional(clock.instant(), settings.batchSize(), shard, shards));
                // Grouped by partition (as every appender locks them, in ascending order); the sort
                // is stable, so one subject's actions keep the order in which they were decided.
                due.sort(java.util.Comparator.comparingInt(Outbox::partition));
                taken.addAll(due);
                if (due.isEmpty()) {
                    return null;
                }
                Instant now = clock.instant();
                Completion done = new Completion(due.size(), now);
                Groups groups = new Groups(done);
                for (OutboxEntry e : due) {
                    if (catalog.find(e.type()).orElse(null) instanceof BatchedActionType b && e.module() != null && e.recordId() != null) {
                        groups.add(b, e);
                    } else {
                        groups.flush();
                        done.succeeded(e, runInside(e, now));
                    }
                }
                groups.flush();
                store.complete(done.outcomes, now);
                signals.append(done.news);
                return null;
                });
                for (OutboxEntry e : taken) {
                    faults.at(FaultInjector.Point.BEFORE_COMMIT, e);
                }
            });
            return taken.size();
        } catch (RuntimeException batchFailure) {
            if (taken.size() <= 1) {
                // One entry alone: record its failure.
                if (taken.size() == 1) {
                    recordFailure(taken.get(0), batchFailure);
                    return 1;
                }
                throw batchFailure;
            }
            // The batch rolled back: run each alone, so that the good ones go through.
            int n = 0;
            for (OutboxEntry e : taken) {
                n += runOneTransactional(e.orgId(), e.id());
            }
            return n;
        }
    }

    /** The new states of a batch's entries and their result signals, in the order they were run. */
    private final class Completion {
        final List<OutboxStore.Outcome> outcomes;
        final List<NewSignal> news;
        final Instant now;

        Completion(int size, Instant now) {
            this.outcomes = new ArrayList<>(size);
            this.news = new ArrayList<>(size);
            this.now = now;
        }

        void succeeded(OutboxEntry e, ActionResult r) {
            outcomes.add(new OutboxStore.Outcome(e.id(), OutboxEntry.Status.DONE, e.attempts() + 1, now, null, r.detail()));
            news.add(Outbox.this.succeeded(e, e.attempts() + 1, r.detail(), now));
        }

        void failed(OutboxEntry e, Throwable cause) {
            failure(e, e.attempts() + 1, cause, now, outcomes, news);
        }
    }

    /**
     * Entries of {@linkplain BatchedActionType batched} types waiting to run together, one group
     * per type, organisation and module. A subject's entries must keep the order in which they
     * were decided: an entry whose record is already waiting, or whose subject waits in another
     * group, first runs everything that waits; so does an entry of any other type.
     */
    private final class Groups {
        private final Completion done;
        private final Map<List<Object>, List<OutboxEntry>> waiting = new LinkedHashMap<>();
        private final Map<String, List<Object>> subjects = new HashMap<>();
        private final Set<UUID> records = new HashSet<>();

        Groups(Completion done) {
            this.done = done;
        }

        void add(BatchedActionType type, OutboxEntry e) {
            List<Object> key = List.of(type, e.orgId(), e.module());
            List<Object> subjectGroup = subjects.get(subject(e));
            if (records.contains(e.recordId()) || subjectGroup != null && !subjectGroup.equals(key)) {
                flush();
            }
            waiting.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
            subjects.put(subject(e), key);
            records.add(e.recordId());
        }

        void flush() {
            for (Map.Entry<List<Object>, List<OutboxEntry>> g : waiting.entrySet()) {
                run((BatchedActionType) g.getKey().get(0), g.getValue());
            }
            waiting.clear();
            subjects.clear();
            records.clear();
        }

        private void run(BatchedActionType type, List<OutboxEntry> entries) {
            List<BatchedActionType.Item> items = new ArrayList<>(entries.size());
            for (OutboxEntry e : entries) {
                faults.at(FaultInjector.Point.BEFORE_EFFECT, e);
                items.add(new BatchedActionType.Item(context(e, done.now), new Causation(e.id(), e.source(), e.depth())));
            }
            List<BatchedActionType.Outcome> outcomes = type.executeAll(items);
            for (int i = 0; i < entries.size(); i++) {
                OutboxEntry e = entries.get(i);
                BatchedActionType.Outcome o = outcomes.get(i);
                if (o.failure() != null) {
                    done.failed(e, o.failure());
                } else {
                    faults.at(FaultInjector.Point.AFTER_EFFECT, e);
                    done.succeeded(e, o.result() == null ? ActionResult.ok() : o.result());
                }
            }
        }
    }

    private ActionContext context(OutboxEntry e, Instant now) {
        return new ActionContext(Actor.system(e.orgId()), e.module(), e.recordId(), e.config(), e.idempotencyKey(), e.attempts() + 1, now);
    }

    private static int partition(OutboxEntry e) {
        return OutboxStore.shardOf(e);
    }

    private int runOneTransactional(UUID orgId, UUID id) {
        OutboxEntry[] seen = {null};
        try {
            tx.run(() -> {
                OutboxEntry e = store.lockInRecordOrder(orgId, id).orElse(null);
                if (e == null || e.status() != OutboxEntry.Status.PENDING || e.nextAttemptAt().isAfter(clock.instant())) {
                    return;
                }
                seen[0] = e;
                Instant now = clock.instant();
                ActionResult r = runInside(e, now);
                store.complete(List.of(new OutboxStore.Outcome(e.id(), OutboxEntry.Status.DONE, e.attempts() + 1, now, null, r.detail())), now);
                signals.append(List.of(succeeded(e, e.attempts() + 1, r.detail(), now)));
                faults.at(FaultInjector.Point.BEFORE_COMMIT, e);
            });
            return seen[0] == null ? 0 : 1;
        } catch (RuntimeException e) {
            if (seen[0] == null) {
                throw e;
            }
            recordFailure(seen[0], e);
            return 1;
        }
    }

    /** Runs a transactional action in the current transaction; a failure is thrown as an {@link Attempt}. */
    private ActionResult runInside(OutboxEntry e, Instant now) {
        ActionType type = catalog.find(e.type()).orElse(null);
        if (type == null) {
            throw new Attempt(e, new ActionFailure("action type " + e.type() + " is no longer registered", false));
        }
        ActionContext ctx = context(e, now);
        faults.at(FaultInjector.Point.BEFORE_EFFECT, e);
        ActionResult r;
        try {
            r = new Causation(e.id(), e.source(), e.depth()).during(() -> {
                try {
                    return type.execute(ctx);
                } catch (RuntimeException x) {
                    throw x;
                } catch (Exception x) {
                    throw new Attempt(e, x);
                }
            });
        } catch (Attempt a) {
            throw a;
        } catch (RuntimeException x) {
            throw new Attempt(e, x);
        }
        faults.at(FaultInjector.Point.AFTER_EFFECT, e);
        return r == null ? ActionResult.ok() : r;
    }

    /** A failed attempt at one entry, carried out of a transaction so that it rolls back. */
    private static final class Attempt extends RuntimeException {
        final OutboxEntry entry;

        Attempt(OutboxEntry entry, Throwable cause) {
            super(cause.getMessage(), cause);
            this.entry = entry;
        }
    }

    private void recordFailure(OutboxEntry taken, RuntimeException failure) {
        Throwable cause = failure instanceof Attempt a ? a.getCause() : failure;
        tx.run(() -> {
            OutboxEntry e = store.lock(taken.orgId(), taken.id()).orElse(null);
            // Someone else finished or re-tried it meanwhile: theirs is the newer word.
            if (e == null || e.status() != OutboxEntry.Status.PENDING || e.attempts() != taken.attempts()) {
                return;
            }
            fail(e, e.attempts() + 1, cause, clock.instant());
        });
    }

    /** Records a failed attempt of a locked entry: back to pending later, or failed for good. */
    private void fail(OutboxEntry e, int attempts, Throwable cause, Instant now) {
        List<OutboxStore.Outcome> outcomes = new ArrayList<>(1);
        List<NewSignal> news = new ArrayList<>(1);
        failure(e, attempts, cause, now, outcomes, news);
        store.complete(outcomes, now);
        signals.append(news);
    }

    /** The new state of a failed entry (and its {@code action.failed} signal when it fails for good), added to the lists. */
    private void failure(OutboxEntry e, int attempts, Throwable cause, Instant now, List<OutboxStore.Outcome> outcomes, List<NewSignal> news) {
        boolean retryable = retryable(cause);
        String reason = reason(cause);
        if (!retryable || attempts >= e.maxAttempts()) {
            outcomes.add(new OutboxStore.Outcome(e.id(), OutboxEntry.Status.FAILED, attempts, now, reason, null));
            news.add(failed(e, attempts, reason, retryable, now));
            LOG.warn("outbox entry={} type={} source={} failed for good after {} attempt(s): {}", e.id(), e.type(), e.source(), attempts, reason);
        } else {
            Instant next = now.plus(backoff(attempts));
            outcomes.add(new OutboxStore.Outcome(e.id(), OutboxEntry.Status.PENDING, attempts, next, reason, null));
            LOG.info("outbox entry={} type={} attempt {} failed, retrying at {}: {}", e.id(), e.type(), attempts, next, reason);
        }
    }

    /** The delay after the {@code attempts}-th failure: exponential, capped, with jitter in its upper half. */
    public Duration backoff(int attempts) {
        long base = settings.backoff().toMillis();
        long cap = settings.maxBackoff().toMillis();
        long delay = attempts >= 40 ? cap : Math.min(cap, base << Math.max(0, attempts - 1));
        long half = delay / 2;
        return Duration.ofMillis(half + (half > 0 ? ThreadLocalRandom.current().nextLong(half + 1) : 0));
    }

    private static boolean retryable(Throwable cause) {
        if (cause instanceof ActionFailure f) {
            return f.retryable();
        }
        if (cause instanceof ConflictException) {
            return true;
        }
        // Bad input and missing records do not get better by waiting.
        return !(cause instanceof WaymarkException) && !(cause instanceof ArithmeticException);
    }

    private static String reason(Throwable cause) {
        String m = cause.getMessage();
        if (cause instanceof WaymarkException w && !w.errors().isEmpty()) {
            m = w.errors().stream().map(fe -> fe.field() + " " + fe.message()).reduce((a, b) -> a + "; " + b).orElse(m);
        }
        m = m == null ? cause.getClass().getSimpleName() : Json.scrubNul(m);
        return m.length() > 2000 ? m.substring(0, 2000) : m;
    }

    /** One batch of outside actions: leased, run outside any transaction, then marked. */
    int runExternalBatch() {
        Instant now = clock.instant();
        List<OutboxEntry> leased = tx.inTransaction(() -> store.leaseDueExternal(now, now.plus(settings.lease()), settings.batchSize()));
        for (OutboxEntry e : leased) {
            ActionType type = catalog.find(e.type()).orElse(null);
            Throwable failure = null;
            ActionResult result = null;
            Instant at = clock.instant();
            try {
                if (type == null) {
                    throw new ActionFailure("action type " + e.type() + " is no longer registered", false);
                }
                faults.at(FaultInjector.Point.BEFORE_EFFECT, e);
                result = new Causation(e.id(), e.source(), e.depth()).during(() -> {
                    try {
                        return type.execute(new ActionContext(Actor.system(e.orgId()), e.module(), e.recordId(), e.config(),
                                e.idempotencyKey(), e.attempts(), at));
                    } catch (RuntimeException x) {
                        throw x;
                    } catch (Exception x) {
                        throw new Attempt(e, x);
                    }
                });
                faults.at(FaultInjector.Point.AFTER_EFFECT, e);
            } catch (Attempt a) {
                failure = a.getCause();
            } catch (Exception x) {
                failure = x;
            }
            ActionResult r = result == null ? ActionResult.ok() : result;
            Throwable f = failure;
            tx.run(() -> {
                OutboxEntry cur = store.lock(e.orgId(), e.id()).orElse(null);
                if (cur == null || cur.status() != OutboxEntry.Status.RUNNING || cur.attempts() != e.attempts()) {
                    return;
                }
                Instant done = clock.instant();
                if (f == null) {
                    store.complete(List.of(new OutboxStore.Outcome(e.id(), OutboxEntry.Status.DONE, e.attempts(), done, null, r.detail())), done);
                    signals.append(List.of(succeeded(e, e.attempts(), r.detail(), done)));
                } else {
                    fail(cur, e.attempts(), f, done);
                }
                faults.at(FaultInjector.Point.BEFORE_COMMIT, e);
            });
        }
        return leased.size();
    }

    private NewSignal succeeded(OutboxEntry e, int attempts, ObjectNode detail, Instant now) {
        ObjectNode p = payload(e, attempts);
        p.set("result", detail == null ? Json.object() : detail);
        return new NewSignal(Ids.next(clock), e.orgId(), "action.succeeded", subject(e), e.module(), e.recordId(), p, now, Actor.SYSTEM_USER);
    }

    private NewSignal failed(OutboxEntry e, int attempts, String reason, boolean retryable, Instant now) {
        ObjectNode p = payload(e, attempts);
        p.put("reason", reason);
        p.put("permanent", !retryable);
        return new NewSignal(Ids.next(clock), e.orgId(), "action.failed", subject(e), e.module(), e.recordId(), p, now, Actor.SYSTEM_USER);
    }

    static String subject(OutboxEntry e) {
        return e.subject() != null ? e.subject() : e.recordId() != null ? e.recordId().toString() : "outbox:" + e.id();
    }

    private static ObjectNode payload(OutboxEntry e, int attempts) {
        ObjectNode p = Json.object();
        p.put("entry_id", e.id().toString());
        p.put("action_type", e.type());
        p.put("source", e.source());
        p.put("attempts", attempts);
        p.put("idempotency_key", e.idempotencyKey());
        return p;
    }

    // ------------------------------------------------------------------ API

    /** A page of the organisation's entries, newest first. */
    public OutboxStore.OutboxPage list(Actor actor, OutboxStore.OutboxQuery query) {
        // The outbox shows what automations do to records: it is for those who manage automations.
        access.require(actor, Capability.MANAGE_WORKFLOW_RULES);
        if (query.limit() < 1 || query.limit() > 1000) {
            throw new ValidationException("Invalid limit", List.of(new FieldError("limit", "must be between 1 and 1000")));
        }
        return store.list(actor.orgId(), query);
    }

    public OutboxEntry get(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_WORKFLOW_RULES);
        return store.find(actor.orgId(), id).orElseThrow(() -> new NotFoundException("No outbox entry has id " + id));
    }

    /**
     * Gives a failed entry a fresh set of attempts, due now. Only failed entries can be retried
     * (409 otherwise): a pending one will run anyway, a done one must not run twice.
     */
    public OutboxEntry retry(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_WORKFLOW_RULES);
        OutboxEntry out = tx.inTransaction(() -> {
            OutboxEntry e = store.lock(actor.orgId(), id).orElseThrow(() -> new NotFoundException("No outbox entry has id " + id));
            if (e.status() != OutboxEntry.Status.FAILED) {
                throw new ConflictException("Outbox entry " + id + " is " + e.status().apiName() + "; only a failed entry can be retried");
            }
            Instant now = clock.instant();
            store.complete(List.of(new OutboxStore.Outcome(id, OutboxEntry.Status.PENDING, 0, now, e.lastError(), null)), now);
            return store.find(actor.orgId(), id).orElseThrow();
        });
        wake();
        return out;
    }

    // ------------------------------------------------------------------ background

    /** Tells the workers that entries may be due. */
    public void wake() {
        lock.lock();
        try {
            wakes++;
            work.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Starts {@code workers} background threads, each polling at least every {@code poll}. */
    public synchronized void start(int workers, Duration poll) {
        if (running) {
            return;
        }
        running = true;
        for (int i = 0; i < workers; i++) {
            int shard = i;
            Thread t = new Thread(() -> loop(poll, shard, workers), "waymark-outbox-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /**
     * Runs batches until one finds nothing to run, then lets the worker wait: an entry enqueued
     * since it looked has woken it (a worker does not wait when a wake came since it last
     * looked), and one that falls due later is found by the poll. A batch that comes back short
     * does not prove that nothing is left: the claim may have been full and some of it held back
     * behind an earlier entry of the same record.
     */
    private void drain(int shard, int shards) {
        while (running) {
            if (runTransactionalBatch(shard, shards) + runExternalBatch() == 0) {
                return;
            }
        }
    }

    private void loop(Duration poll, int shard, int shards) {
        long seen = -1;
        while (running) {
            try {
                // Each worker keeps its own count of the wakes it has seen: a wake during one
                // worker's drain must not be used up by another, whose shard it may not be for.
                lock.lock();
                try {
                    if (seen == wakes && running) {
                        work.await(poll.toMillis(), TimeUnit.MILLISECONDS);
                    }
                    seen = wakes;
                } finally {
                    lock.unlock();
                }
                drain(shard, shards);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("outbox worker failed; retrying", e);
                try {
                    Thread.sleep(poll.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Stops the workers, letting each finish the batch in hand. */
    @Override
    public synchronized void close() {
        running = false;
        wake();
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        threads.clear();
    }
}
