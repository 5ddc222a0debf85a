package io.waymark.action;

import io.waymark.signal.Causation;
import java.util.List;

/**
 * A {@link TransactionalActionType} that can run many entries of one organisation and module in
 * one go (a field update: one read of the records, one batched write, one signal append), inside
 * the outbox batch's transaction. Each entry still succeeds or fails on its own: a failed one must
 * have changed nothing, and the outbox records its failure as it would for a run alone.
 */
public interface BatchedActionType extends TransactionalActionType {
    /**
     * One entry of a batch.
     *
     * @param cause stamped on the signals of this entry's effect
     */
    record Item(ActionContext context, Causation cause) {
    }

    /** What became of one item: its result, or why it failed (then it changed nothing). */
    record Outcome(ActionResult result, Exception failure) {
    }

    /**
     * Runs the items (same organisation, same module, distinct records), returning one outcome
     * per item, in order. Throwing fails the whole batch: the outbox then rolls it back and runs
     * each entry alone through {@link #execute}.
     */
    List<Outcome> executeAll(List<Item> items);
}
