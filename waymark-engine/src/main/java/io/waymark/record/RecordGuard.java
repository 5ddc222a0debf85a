package io.waymark.record;

import io.waymark.Actor;
import java.util.List;

/**
 * A process that holds records (a blueprint, an approval, a review) and must see every change to
 * them. {@link Records} calls its guards inside the write transaction of every create, update and
 * delete — whatever the path (the records API, kiosks, wizards, workflow field updates) — so a
 * guard can refuse a change (throw {@link io.waymark.error.ConflictException}: nothing is written)
 * or write its own state together with the change (a record entering a blueprint).
 */
public interface RecordGuard {
    /**
     * Called before {@code after} replaces {@code before}; throw to refuse the change. Only
     * changes that alter something reach a guard.
     */
    default void checkUpdate(Actor actor, Module module, Record before, Record after) {
    }

    /**
     * Checks several changes at once (of distinct records; {@code before.get(i)} becomes
     * {@code after.get(i)}) and returns, by position, the refusal of each change it refuses; the
     * others go ahead. The default asks {@link #checkUpdate} for each; a guard that reads its own
     * state should read it once for all of them.
     */
    default java.util.Map<Integer, RuntimeException> refusals(Actor actor, Module module, List<Record> before, List<Record> after) {
        java.util.Map<Integer, RuntimeException> out = new java.util.HashMap<>();
        for (int i = 0; i < after.size(); i++) {
            try {
                checkUpdate(actor, module, before.get(i), after.get(i));
            } catch (io.waymark.error.WaymarkException e) {
                out.put(i, e);
            }
        }
        return out;
    }

    /** Called before a record is deleted; throw to refuse. */
    default void checkDelete(Actor actor, Module module, Record current) {
    }

    /** Called after new records were written, in the same transaction. */
    default void created(Actor actor, Module module, List<Record> records) {
    }

    /** Called after records were changed (each as {@code after}), in the same transaction. */
    default void updated(Actor actor, Module module, List<Record> before, List<Record> after) {
    }

    /** Called after a record was deleted, in the same transaction. */
    default void deleted(Actor actor, Module module, Record record) {
    }
}
