package io.waymark.record;

import io.waymark.Actor;
import io.waymark.signal.NewSignal;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * A process that holds new records away from every automation until it lets them go (a review).
 *
 * <p>{@link Records} asks it, inside the create transaction, which new records it holds. A held
 * record's {@code record.created} and {@code record.updated} signals carry {@code "held": true}
 * in their payload, and {@link RecordGuard#created}/{@link RecordGuard#updated} are not called for
 * it: no workflow rule, approval, blueprint, cadence or journey acts on it. When the hold lets
 * the record go it calls {@link Records#release}, which appends a {@code record.review_accepted}
 * signal and calls the guards' {@code created}: every automation then runs as if the record had
 * just been created (signal consumers see that signal as a {@code record.created}; see
 * {@link HeldSignals}).
 */
public interface RecordHold {
    /** What the hold decided about new records: which it holds, and the signals to append after their {@code record.created}. */
    record Intake(Set<UUID> held, List<NewSignal> signals) {
        public static final Intake NONE = new Intake(Set.of(), List.of());
    }

    /** Called in the create transaction after the records were written; writes the hold's own state. */
    Intake intake(Actor actor, Module module, List<Record> records, CreationSource source);

    /** Which of {@code ids} are held now (read in the caller's transaction). */
    Set<UUID> held(UUID orgId, Collection<UUID> ids);
}
