package io.waymark.store.automation;

import static io.waymark.store.automation.OutboxTest.action;
import static io.waymark.store.automation.OutboxTest.amount;
import static io.waymark.store.automation.OutboxTest.deal;
import static io.waymark.store.automation.OutboxTest.entry;
import static io.waymark.store.automation.OutboxTest.signals;
import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.waymark.Actor;
import io.waymark.action.OutboxEntry;
import io.waymark.record.Module;
import io.waymark.record.Record;
import io.waymark.record.RecordGuard;
import io.waymark.signal.Signal;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Field updates of one outbox batch run together (one read, one write, one signal append per
 * module), and still each succeeds or fails on its own, as it would alone.
 */
class OutboxBatchTest {

    /** A guard that records how it was asked; it can fail the whole check once, as a broken database would. */
    static final class RecordingGuard implements RecordGuard {
        final List<Integer> batchSizes = new ArrayList<>();
        final AtomicBoolean breakOnce = new AtomicBoolean();

        @Override
        public Map<Integer, RuntimeException> refusals(Actor actor, Module module, List<Record> before, List<Record> after) {
            batchSizes.add(after.size());
            if (breakOnce.getAndSet(false)) {
                throw new IllegalStateException("the guard's store is down");
            }
            return RecordGuard.super.refusals(actor, module, before, after);
        }
    }

    static Record aCase(TestDb db, String status) {
        return db.engine().records().create(db.admin(), "Cases", json("{'Subject': 'Lost luggage', 'Status': '" + status + "'}"));
    }

    static Object value(TestDb db, Record r, String field) {
        return db.engine().records().get(db.admin(), r.module(), r.id()).values().get(field);
    }

    @BothDatabases
    void aBlueprintLockRefusesOnlyTheUpdateItLocksAndAMissingRecordFailsOnlyItsOwn(TestDb db) {
        db.engine().blueprints().create(db.admin(), json("{'name': 'Cases', 'module': 'Cases', 'field': 'Status', 'transitions': ["
                + "{'name': 'Hold', 'from': 'New', 'to': 'On Hold'}, {'name': 'Resolve', 'from': ['New', 'On Hold'], 'to': 'Closed'}]}"));
        RecordingGuard guard = new RecordingGuard();
        db.engine().records().guard(guard);
        Record inBlueprint = aCase(db, "New");
        Record inBlueprintToo = aCase(db, "New");
        Record outside = aCase(db, "Escalated");
        Record deleted = aCase(db, "Escalated");
        db.engine().records().delete(db.admin(), "Cases", deleted.id(), null);

        List<OutboxEntry> queued = db.engine().outbox().enqueue(List.of(
                action(db, inBlueprint, "field_update", "{'field': 'Status', 'value': 'Closed'}"),
                action(db, inBlueprintToo, "field_update", "{'field': 'Priority', 'value': 'High'}"),
                action(db, outside, "field_update", "{'field': 'Status', 'value': 'Closed'}"),
                action(db, deleted, "field_update", "{'field': 'Priority', 'value': 'High'}")));
        db.engine().outbox().runDue();

        // The state field of a record in a blueprint changes only through a transition: refused, to be retried later.
        OutboxEntry locked = entry(db, queued.get(0).id());
        assertThat(locked.status()).isEqualTo(OutboxEntry.Status.PENDING);
        assertThat(locked.attempts()).isEqualTo(1);
        assertThat(locked.lastError()).contains("blueprint");
        assertThat(locked.nextAttemptAt()).isAfter(db.clock().instant());
        assertThat(value(db, inBlueprint, "Status")).isEqualTo("New");
        assertThat(signals(db, inBlueprint, "record.updated")).isEmpty();
        // The others went through, each with its own signals naming its own entry.
        assertThat(value(db, inBlueprintToo, "Priority")).isEqualTo("High");
        assertThat(value(db, outside, "Status")).isEqualTo("Closed");
        for (int i : new int[] {1, 2}) {
            Record r = i == 1 ? inBlueprintToo : outside;
            OutboxEntry done = entry(db, queued.get(i).id());
            assertThat(done.status()).isEqualTo(OutboxEntry.Status.DONE);
            assertThat(done.result().path("version").asLong()).isEqualTo(2);
            List<Signal> updated = signals(db, r, "record.updated");
            assertThat(updated).hasSize(1);
            assertThat(updated.get(0).payload().path("cause").path("outbox_entry").asText()).isEqualTo(done.id().toString());
            assertThat(signals(db, r, "action.succeeded")).hasSize(1);
        }
        // The deleted record fails for good, alone.
        OutboxEntry failed = entry(db, queued.get(3).id());
        assertThat(failed.status()).isEqualTo(OutboxEntry.Status.FAILED);
        assertThat(failed.lastError()).contains("no longer exists");
        assertThat(signals(db, deleted, "action.failed")).hasSize(1);
        // Three updates reached the guards (the missing record never did), in one check: they ran as one batch.
        assertThat(guard.batchSizes).containsExactly(3);
    }

    @BothDatabases
    void updatesOfOneRecordInOneBatchApplyInTheOrderTheyWereDecided(TestDb db) {
        Record a = deal(db.engine(), db.admin(), 10);
        Record b = deal(db.engine(), db.admin(), 100);
        List<OutboxEntry> queued = db.engine().outbox().enqueue(List.of(
                action(db, a, "field_update", "{'field': 'Amount', 'value': 'Amount + 1'}"),
                action(db, b, "field_update", "{'field': 'Amount', 'value': 'Amount + 1'}"),
                action(db, a, "field_update", "{'field': 'Amount', 'value': 'Amount * 2'}"),
                action(db, a, "field_update", "{'field': 'Deal_Name', 'value': '{{Deals.Deal_Name}} for {{Deals.Amount}}'}")));
        db.engine().outbox().runDue();

        assertThat(amount(db, a)).isEqualByComparingTo("22.00");
        assertThat(amount(db, b)).isEqualByComparingTo("101.00");
        assertThat(value(db, a, "Deal_Name")).isEqualTo("Bali for 22");
        assertThat(queued.stream().map(e -> entry(db, e.id()).status())).containsOnly(OutboxEntry.Status.DONE);
        assertThat(entry(db, queued.get(3).id()).result().path("version").asLong()).isEqualTo(4);
        List<Signal> updated = signals(db, a, "record.updated");
        assertThat(updated).extracting(s -> s.payload().path("cause").path("outbox_entry").asText())
                .containsExactly(queued.get(0).id().toString(), queued.get(2).id().toString(), queued.get(3).id().toString());
        assertThat(updated).extracting(s -> s.payload().path("version").asLong()).containsExactly(2L, 3L, 4L);
    }

    @BothDatabases
    void aBatchThatFailsAsAWholeIsRunEntryByEntryAndNothingRunsTwice(TestDb db) {
        RecordingGuard guard = new RecordingGuard();
        db.engine().records().guard(guard);
        Record a = deal(db.engine(), db.admin(), 10);
        Record b = deal(db.engine(), db.admin(), 20);
        List<OutboxEntry> queued = db.engine().outbox().enqueue(List.of(
                action(db, a, "field_update", "{'field': 'Amount', 'value': 'Amount + 1'}"),
                action(db, b, "field_update", "{'field': 'Amount', 'value': 'Amount + 1'}")));
        guard.breakOnce.set(true);
        db.engine().outbox().runDue();

        // The batch rolled back; each entry then ran alone, once.
        assertThat(guard.batchSizes).containsExactly(2, 1, 1);
        assertThat(amount(db, a)).isEqualByComparingTo("11.00");
        assertThat(amount(db, b)).isEqualByComparingTo("21.00");
        for (OutboxEntry e : queued) {
            OutboxEntry done = entry(db, e.id());
            assertThat(done.status()).isEqualTo(OutboxEntry.Status.DONE);
            assertThat(done.attempts()).isEqualTo(1);
        }
        assertThat(signals(db, a, "record.updated")).hasSize(1);
        assertThat(signals(db, a, "action.succeeded")).hasSize(1);
    }
}
