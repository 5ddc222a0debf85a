package io.waymark.store.automation;

import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Waymark;
import io.waymark.action.ActionContext;
import io.waymark.action.ActionDefinition;
import io.waymark.action.ActionFailure;
import io.waymark.action.ActionResult;
import io.waymark.action.ActionType;
import io.waymark.action.Outbox;
import io.waymark.action.OutboxEntry;
import io.waymark.action.OutboxStore;
import io.waymark.error.ConflictException;
import io.waymark.json.Json;
import io.waymark.record.Record;
import io.waymark.signal.Signal;
import io.waymark.signal.SignalQuery;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

class OutboxTest {

    /** What a simulated crash throws: an Error, so no code on the way out mistakes it for an action's failure. */
    static final class Crash extends Error {
        Crash(String where) {
            super("simulated crash " + where);
        }
    }

    /** A recording fake of an outside system (a webhook receiver): every call and its idempotency key. */
    static class RecordingExternal implements ActionType {
        final List<String> keys = new CopyOnWriteArrayList<>();
        volatile int failFirst;
        volatile boolean permanent;
        volatile String message;

        @Override
        public String name() {
            return "test_external";
        }

        @Override
        public void validate(Actor actor, String module, ObjectNode config) {
        }

        @Override
        public ActionResult execute(ActionContext ctx) throws ActionFailure {
            keys.add(ctx.idempotencyKey());
            if (failFirst > 0) {
                failFirst--;
                throw new ActionFailure(message != null ? message : permanent ? "410 Gone" : "503 Service Unavailable", !permanent);
            }
            return ActionResult.ok();
        }
    }

    static Outbox.NewAction action(TestDb db, Record r, String type, String config) {
        return new Outbox.NewAction(db.admin().orgId(), "test:outbox", new ActionDefinition(type, (ObjectNode) json(config)), r.module(),
                r.id(), r.subject(), null, 1);
    }

    static Record deal(Waymark w, Actor a, int amount) {
        return w.records().create(a, "Deals", json("{'Deal_Name': 'Bali', 'Amount': " + amount + "}"));
    }

    static List<Signal> signals(TestDb db, Record r, String type) {
        return db.engine().signals().query(db.admin(), new SignalQuery(r.subject(), null, type, null, null, 1000, null)).signals();
    }

    static OutboxEntry entry(TestDb db, UUID id) {
        return db.engine().outbox().get(db.admin(), id);
    }

    @BothDatabases
    void aTransactionalActionRunsOnceAndReportsSuccessAsASignal(TestDb db) {
        Record deal = deal(db.engine(), db.admin(), 1000);
        List<OutboxEntry> queued = db.engine().outbox().enqueue(List.of(action(db, deal, "field_update", "{'field': 'Amount', 'value': 'Amount * 0.9'}")));
        assertThat(entry(db, queued.get(0).id()).status()).isEqualTo(OutboxEntry.Status.PENDING);

        db.engine().outbox().runDue();
        db.engine().outbox().runDue();

        assertThat(amount(db, deal)).isEqualByComparingTo("900.00");
        OutboxEntry done = entry(db, queued.get(0).id());
        assertThat(done.status()).isEqualTo(OutboxEntry.Status.DONE);
        assertThat(done.attempts()).isEqualTo(1);
        assertThat(done.result().path("version").asLong()).isEqualTo(2);
        List<Signal> ok = signals(db, deal, "action.succeeded");
        assertThat(ok).hasSize(1);
        assertThat(ok.get(0).payload().path("entry_id").asText()).isEqualTo(done.id().toString());
        // The effect is traceable to its entry: the record.updated signal names it as its cause.
        Signal updated = signals(db, deal, "record.updated").get(0);
        assertThat(updated.payload().path("cause").path("outbox_entry").asText()).isEqualTo(done.id().toString());
    }

    @BothDatabases
    void aCrashAtAnyPointLosesNothingAndDoesNothingTwice(TestDb db) {
        for (Outbox.FaultInjector.Point point : Outbox.FaultInjector.Point.values()) {
            Record deal = deal(db.engine(), db.admin(), 100);
            OutboxEntry e = db.engine().outbox().enqueue(List.of(action(db, deal, "field_update", "{'field': 'Amount', 'value': 'Amount + 1'}"))).get(0);
            db.engine().outbox().injectFaults((p, x) -> {
                if (p == point && x.id().equals(e.id())) {
                    throw new Crash(p.name());
                }
            });
            assertThatThrownBy(() -> db.engine().outbox().runDue()).isInstanceOf(Crash.class);
            // Nothing of the attempt survived: the effect, the completion and its signal went together.
            assertThat(amount(db, deal)).as(point.name()).isEqualByComparingTo("100.00");
            assertThat(entry(db, e.id()).status()).as(point.name()).isEqualTo(OutboxEntry.Status.PENDING);
            assertThat(signals(db, deal, "action.succeeded")).isEmpty();

            // A restarted worker (a new engine on the same database) runs it exactly once.
            db.engine().outbox().injectFaults(null);
            Waymark restarted = db.store().engine(db.clock());
            restarted.outbox().runDue();
            restarted.outbox().runDue();
            assertThat(amount(db, deal)).as(point.name()).isEqualByComparingTo("101.00");
            assertThat(entry(db, e.id()).status()).isEqualTo(OutboxEntry.Status.DONE);
            assertThat(signals(db, deal, "action.succeeded")).hasSize(1);
            assertThat(signals(db, deal, "record.updated")).hasSize(1);
        }
    }

    /** The same fake as a transactional action: a record's action that waits for its retry when it fails. */
    static final class FlakyLocal extends RecordingExternal implements io.waymark.action.TransactionalActionType {
        @Override
        public String name() {
            return "test_flaky_local";
        }
    }

    @BothDatabases
    void aRecordsLaterActionsWaitForAnEarlierOneThatAwaitsItsRetryAndThenRunInOrder(TestDb db) {
        FlakyLocal flaky = new FlakyLocal();
        // Twice: the batch it is in rolls back and its entries run one by one, where it fails again and is set to retry.
        flaky.failFirst = 2;
        Waymark w = db.store().engineBuilder(db.clock()).actionType(flaky).build();
        Record deal = deal(w, db.admin(), 1);
        Record other = deal(w, db.admin(), 10);
        List<OutboxEntry> queued = w.outbox().enqueue(List.of(
                action(db, deal, "test_flaky_local", "{}"),
                action(db, deal, "field_update", "{'field': 'Amount', 'value': 'Amount + 1'}"),
                action(db, other, "field_update", "{'field': 'Amount', 'value': 'Amount + 1'}"),
                action(db, deal, "field_update", "{'field': 'Amount', 'value': 'Amount * 10'}")));
        w.outbox().runDue();

        // The first failed and waits for its retry; the deal's later updates wait behind it, the other deal's does not.
        OutboxEntry first = w.outbox().get(db.admin(), queued.get(0).id());
        assertThat(first.status()).isEqualTo(OutboxEntry.Status.PENDING);
        assertThat(first.attempts()).isEqualTo(1);
        for (int i : new int[] {1, 3}) {
            OutboxEntry held = w.outbox().get(db.admin(), queued.get(i).id());
            assertThat(held.status()).isEqualTo(OutboxEntry.Status.PENDING);
            assertThat(held.attempts()).isZero();
        }
        assertThat(w.outbox().get(db.admin(), queued.get(2).id()).status()).isEqualTo(OutboxEntry.Status.DONE);
        assertThat(w.records().get(db.admin(), "Deals", deal.id()).values().get("Amount").toString()).startsWith("1");
        assertThat(signals(db, deal, "record.updated")).isEmpty();

        db.clock().set(first.nextAttemptAt());
        w.outbox().runDue();
        for (OutboxEntry e : queued) {
            assertThat(w.outbox().get(db.admin(), e.id()).status()).isEqualTo(OutboxEntry.Status.DONE);
        }
        // (1 + 1) * 10, not 1 * 10 + 1: the updates took effect in the order they were decided.
        assertThat(new java.math.BigDecimal(w.records().get(db.admin(), "Deals", deal.id()).values().get("Amount").toString()))
                .isEqualByComparingTo("20");
        assertThat(signals(db, deal, "record.updated")).extracting(s -> s.payload().path("cause").path("outbox_entry").asText())
                .containsExactly(queued.get(1).id().toString(), queued.get(3).id().toString());
    }

    @BothDatabases
    void oneBadActionInABatchDoesNotHoldBackTheOthers(TestDb db) {
        Record a = deal(db.engine(), db.admin(), 10);
        Record b = deal(db.engine(), db.admin(), 20);
        db.engine().records().delete(db.admin(), "Deals", b.id(), null);
        Record c = deal(db.engine(), db.admin(), 30);
        List<OutboxEntry> queued = db.engine().outbox().enqueue(List.of(
                action(db, a, "field_update", "{'field': 'Stage', 'value': 'Closed Won'}"),
                action(db, b, "field_update", "{'field': 'Stage', 'value': 'Closed Won'}"),
                action(db, c, "field_update", "{'field': 'Stage', 'value': 'Closed Won'}")));
        db.engine().outbox().runDue();
        assertThat(entry(db, queued.get(0).id()).status()).isEqualTo(OutboxEntry.Status.DONE);
        assertThat(entry(db, queued.get(2).id()).status()).isEqualTo(OutboxEntry.Status.DONE);
        // The deleted record cannot be updated, and waiting will not change that: failed at once, with the reason.
        OutboxEntry failed = entry(db, queued.get(1).id());
        assertThat(failed.status()).isEqualTo(OutboxEntry.Status.FAILED);
        assertThat(failed.lastError()).contains("no longer exists");
        Signal f = signals(db, b, "action.failed").get(0);
        assertThat(f.payload().path("reason").asText()).contains("no longer exists");
        assertThat(f.payload().path("permanent").asBoolean()).isTrue();
    }

    @BothDatabases
    void anOutsideActionIsRetriedWithBackOffThenFailsVisibly(TestDb db) {
        RecordingExternal external = new RecordingExternal();
        external.failFirst = 100;
        Waymark w = db.store().engineBuilder(db.clock()).actionType(external)
                .outboxSettings(new Outbox.Settings(3, Duration.ofSeconds(10), Duration.ofHours(1), Duration.ofMinutes(5), 50)).build();
        Record deal = deal(w, db.admin(), 1);
        OutboxEntry e = w.outbox().enqueue(List.of(action(db, deal, "test_external", "{}"))).get(0);
        Instant t0 = db.clock().instant();
        w.outbox().runDue();
        OutboxEntry after1 = w.outbox().get(db.admin(), e.id());
        assertThat(after1.status()).isEqualTo(OutboxEntry.Status.PENDING);
        assertThat(after1.attempts()).isEqualTo(1);
        // Back-off with jitter: between half and all of 10 s after the first failure.
        assertThat(after1.nextAttemptAt()).isBetween(t0.plusSeconds(5), t0.plusSeconds(10));
        w.outbox().runDue();
        assertThat(external.keys).hasSize(1);

        db.clock().set(after1.nextAttemptAt());
        w.outbox().runDue();
        OutboxEntry after2 = w.outbox().get(db.admin(), e.id());
        assertThat(after2.attempts()).isEqualTo(2);
        assertThat(after2.nextAttemptAt()).isBetween(db.clock().instant().plusSeconds(10), db.clock().instant().plusSeconds(20));
        db.clock().set(after2.nextAttemptAt());
        w.outbox().runDue();

        OutboxEntry failed = w.outbox().get(db.admin(), e.id());
        assertThat(failed.status()).isEqualTo(OutboxEntry.Status.FAILED);
        assertThat(failed.attempts()).isEqualTo(3);
        assertThat(failed.lastError()).isEqualTo("503 Service Unavailable");
        // Every attempt carried the same key, so the far side can drop repeats.
        assertThat(external.keys).hasSize(3).containsOnly(e.idempotencyKey());
        assertThat(signals(db, deal, "action.failed")).singleElement()
                .satisfies(s -> assertThat(s.payload().path("reason").asText()).isEqualTo("503 Service Unavailable"));

        // A failed entry can be retried by hand; a done one cannot.
        external.failFirst = 0;
        OutboxEntry revived = w.outbox().retry(db.admin(), e.id());
        assertThat(revived.status()).isEqualTo(OutboxEntry.Status.PENDING);
        w.outbox().runDue();
        assertThat(w.outbox().get(db.admin(), e.id()).status()).isEqualTo(OutboxEntry.Status.DONE);
        assertThatThrownBy(() -> w.outbox().retry(db.admin(), e.id())).isInstanceOf(ConflictException.class);
    }

    @BothDatabases
    void aPermanentOutsideFailureIsNotRetried(TestDb db) {
        RecordingExternal external = new RecordingExternal();
        external.failFirst = 1;
        external.permanent = true;
        Waymark w = db.store().engineBuilder(db.clock()).actionType(external).build();
        Record deal = deal(w, db.admin(), 1);
        OutboxEntry e = w.outbox().enqueue(List.of(action(db, deal, "test_external", "{}"))).get(0);
        w.outbox().runDue();
        assertThat(w.outbox().get(db.admin(), e.id()).status()).isEqualTo(OutboxEntry.Status.FAILED);
        assertThat(external.keys).hasSize(1);
    }

    @BothDatabases
    void aFailureWhoseMessageHoldsANulIsKeptWithoutItAndTheBatchCompletes(TestDb db) {
        // A remote body can hold U+0000, which PostgreSQL stores in no text: the whole batch's completion failed there.
        RecordingExternal external = new RecordingExternal();
        external.failFirst = 1;
        external.permanent = true;
        external.message = "500 from the receiver: a\u0000b";
        Waymark w = db.store().engineBuilder(db.clock()).actionType(external).build();
        Record deal = deal(w, db.admin(), 1);
        List<OutboxEntry> queued = w.outbox().enqueue(List.of(action(db, deal, "test_external", "{}"), action(db, deal, "test_external", "{}")));
        w.outbox().runDue();
        w.outbox().runDue();
        OutboxEntry failed = w.outbox().get(db.admin(), queued.get(0).id());
        assertThat(failed.status()).isEqualTo(OutboxEntry.Status.FAILED);
        assertThat(failed.lastError()).isEqualTo("500 from the receiver: a\uFFFDb");
        assertThat(w.outbox().get(db.admin(), queued.get(1).id()).status()).isEqualTo(OutboxEntry.Status.DONE);
        assertThat(signals(db, deal, "action.failed").get(0).payload().path("reason").asText()).isEqualTo("500 from the receiver: a\uFFFDb");
    }

    @BothDatabases
    void anOutsideActionCutOffByACrashIsRetriedWithTheSameKeyWhenItsLeaseLapses(TestDb db) {
        RecordingExternal external = new RecordingExternal();
        Waymark w = db.store().engineBuilder(db.clock()).actionType(external).build();
        Record deal = deal(w, db.admin(), 1);
        OutboxEntry e = w.outbox().enqueue(List.of(action(db, deal, "test_external", "{}"))).get(0);
        w.outbox().injectFaults((p, x) -> {
            if (p == Outbox.FaultInjector.Point.AFTER_EFFECT && x.id().equals(e.id())) {
                throw new Crash("after the call");
            }
        });
        assertThatThrownBy(() -> w.outbox().runDue()).isInstanceOf(Crash.class);
        w.outbox().injectFaults(null);
        assertThat(w.outbox().get(db.admin(), e.id()).status()).isEqualTo(OutboxEntry.Status.RUNNING);
        w.outbox().runDue();
        assertThat(external.keys).hasSize(1);
        db.clock().advance(w.outbox().settings().lease().plusSeconds(1));
        w.outbox().runDue();
        assertThat(external.keys).containsExactly(e.idempotencyKey(), e.idempotencyKey());
        assertThat(w.outbox().get(db.admin(), e.id()).status()).isEqualTo(OutboxEntry.Status.DONE);
        assertThat(signals(db, deal, "action.succeeded")).hasSize(1);
    }

    @BothDatabases
    void entriesAreListedByStatusPerOrganisation(TestDb db) {
        Record deal = deal(db.engine(), db.admin(), 1);
        List<Outbox.NewAction> many = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            many.add(action(db, deal, "emit_signal", "{'type': 'test.ping', 'payload': {'n': '" + i + "'}}"));
        }
        db.engine().outbox().enqueue(many);
        OutboxStore.OutboxPage page = db.engine().outbox().list(db.admin(), new OutboxStore.OutboxQuery(OutboxEntry.Status.PENDING, null, null, 3, null));
        assertThat(page.entries()).hasSize(3);
        assertThat(db.engine().outbox().list(db.admin(), new OutboxStore.OutboxQuery(null, null, null, 3, page.next())).entries()).hasSize(2);
        Actor other = db.otherOrg().admin();
        assertThat(db.engine().outbox().list(other, new OutboxStore.OutboxQuery(null, null, null, 10, null)).entries()).isEmpty();
        db.engine().outbox().runDue();
        assertThat(signals(db, deal, "test.ping")).hasSize(5);
        assertThat(db.engine().outbox().list(db.admin(), new OutboxStore.OutboxQuery(OutboxEntry.Status.DONE, "test:outbox", deal.id(), 10, null))
                .entries()).hasSize(5);
    }

    static java.math.BigDecimal amount(TestDb db, Record deal) {
        return (java.math.BigDecimal) db.engine().records().get(db.admin(), "Deals", deal.id()).values().get("Amount");
    }

    static ObjectNode obj(String s) {
        return (ObjectNode) Json.read(s);
    }
}
