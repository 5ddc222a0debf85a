package io.waymark.cadence;

import io.waymark.signal.Signal;
import io.waymark.signal.SignalConsumer;
import io.waymark.timer.Timers;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Runs cadence enrollments as their subjects' signals arrive, in per-subject order, inside the
 * dispatcher's transaction: due follow-ups on {@code timer.fired}, sending outcomes on
 * {@code action.succeeded}/{@code action.failed} of cadence actions, and what the customer did
 * ({@code email.opened}, {@code clicked}, {@code replied}, {@code bounced}, {@code unsubscribed}), and
 * {@code record.updated} of an enrolled record, for goal criteria; and {@code record.created} /
 * {@code record.updated} of any record, for automatic enrollment and related-record goals.
 * Other signals cost a string comparison.
 */
public final class CadenceRunner implements SignalConsumer {
    public static final String NAME = "cadences";
    private static final Set<String> EMAIL = Set.of("email.opened", "email.clicked", "email.replied", "email.bounced", "email.unsubscribed");

    private final Cadences cadences;

    CadenceRunner(Cadences cadences) {
        this.cadences = cadences;
    }

    @Override
    public String name() {
        return NAME;
    }

    static boolean relevant(Signal s) {
        String t = s.type();
        if (t.equals(Timers.FIRED)) {
            return Cadences.TIMER_PURPOSE.equals(s.payload().path("purpose").asText());
        }
        if (t.equals("action.succeeded") || t.equals("action.failed")) {
            return s.payload().path("source").asText().startsWith(Cadences.SOURCE);
        }
        return EMAIL.contains(t) || t.equals("record.updated") || t.equals("record.created");
    }

    /**
     * In a dispatcher batch: the live enrollments of each org|subject key, as this batch left
     * them (read once at its start, kept current as the batch saves them); null outside one.
     */
    private java.util.Map<String, List<CadenceStore.Enrollment>> live;
    /** Whether {@link #live} holds every subject of the batch (false once something else wrote enrollments: look the rest up). */
    private boolean complete;
    /** In a dispatcher batch: the enrollment writes and effects held until its end; null outside one. */
    private Cadences.Batch batch;
    /** In a dispatcher batch: each organisation's published cadences, read once; null outside one. */
    private java.util.Map<java.util.UUID, List<CadenceStore.StoredCadence>> published;

    /**
     * Reads, once for the whole batch, the live enrollments of every subject the batch's signals
     * are about (one query per organisation), so that a signal costs no query of its own; the
     * enrollments' writes and the effects (outbox entries, timers, signals) are held until
     * {@link #endBatch}, which writes them with one batched statement each.
     */
    @Override
    public void beginBatch(List<Signal> signals) {
        java.util.Map<java.util.UUID, Set<String>> subjects = new java.util.HashMap<>();
        for (Signal s : signals) {
            if (relevant(s)) {
                subjects.computeIfAbsent(s.orgId(), o -> new java.util.LinkedHashSet<>()).add(s.subject());
            }
        }
        java.util.Map<String, List<CadenceStore.Enrollment>> found = new java.util.HashMap<>();
        subjects.forEach((org, subs) -> cadences.store().liveEnrollmentsOf(org, subs)
                .forEach((sub, list) -> found.put(org + "|" + sub, new ArrayList<>(list))));
        live = found;
        complete = true;
        batch = new Cadences.Batch();
        published = new java.util.HashMap<>();
    }

    @Override
    public void endBatch() {
        try {
            if (batch != null) {
                batch.flush(cadences);
            }
        } finally {
            live = null;
            batch = null;
            published = null;
        }
    }

    /** Writes what the batch held so far, so that work reading enrollments from the store sees it; later look-ups go to the store. */
    private void writeThrough() {
        if (batch != null) {
            batch.flush(cadences);
            live.clear();
            complete = false;
        }
    }

    private List<CadenceStore.Enrollment> liveOf(Signal s, String key) {
        if (live == null) {
            return cadences.store().liveEnrollments(s.orgId(), s.subject());
        }
        List<CadenceStore.Enrollment> known = live.get(key);
        if (known == null && !complete) {
            known = new ArrayList<>(cadences.store().liveEnrollments(s.orgId(), s.subject()));
            live.put(key, known);
        }
        return known == null ? List.of() : known;
    }

    @Override
    public void accept(Signal s) {
        if (!relevant(s)) {
            return;
        }
        String key = s.orgId() + "|" + s.subject();
        if (s.type().startsWith("record.")) {
            // Any record may start to match a cadence, or be the related record that ends another's enrollment.
            List<CadenceStore.StoredCadence> cadencesOfOrg = published == null ? cadences.store().published(s.orgId())
                    : published.computeIfAbsent(s.orgId(), cadences.store()::published);
            cadences.recordChanged(s, cadencesOfOrg, this::writeThrough);
            if (s.type().equals("record.created")) {
                return;
            }
        }
        List<CadenceStore.Enrollment> enrollments = liveOf(s, key);
        if (enrollments.isEmpty()) {
            return;
        }
        List<Cadences.Work> work = new ArrayList<>();
        for (CadenceStore.Enrollment e : enrollments) {
            // The enrollment's version (cached once parsed) names the cadence as it was published.
            CadenceDefinition d = cadences.definition(e.orgId(), e.cadenceId(), e.version());
            if (d != null) {
                work.add(new Cadences.Work(e, d, d.name()));
            }
        }
        if (work.isEmpty()) {
            return;
        }
        if (batch == null) {
            cadences.onSignal(s, work, new Cadences.Effects(), null);
            return;
        }
        cadences.onSignal(s, work, batch.effects(s.orgId()), batch);
        // Keep the batch's view current: what this signal saved replaces what was read; ended ones leave.
        List<CadenceStore.Enrollment> now = new ArrayList<>(enrollments.size());
        for (CadenceStore.Enrollment e : enrollments) {
            CadenceStore.Enrollment saved = batch.saved(e.id());
            CadenceStore.Enrollment current = saved == null ? e : saved;
            if (current.live()) {
                now.add(current);
            }
        }
        live.put(key, now);
    }
}
