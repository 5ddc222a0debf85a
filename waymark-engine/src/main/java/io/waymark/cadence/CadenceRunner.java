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

    /** In a dispatcher batch: the enrollments read, by id, as this batch left them (kept current as it saves them); null outside one. */
    private java.util.Map<java.util.UUID, CadenceStore.Enrollment> known;
    /** In a dispatcher batch: the ids of the live enrollments of each org|subject key read at its start. */
    private java.util.Map<String, List<java.util.UUID>> bySubject;
    /**
     * Whether {@link #known} and {@link #bySubject} hold everything the batch's signals need
     * (false once something else wrote enrollments: look the rest up in the store).
     */
    private boolean complete;
    /** In a dispatcher batch: the enrollment writes and effects held until its end; null outside one. */
    private Cadences.Batch batch;
    /** In a dispatcher batch: each organisation's published cadences, read once; null outside one. */
    private java.util.Map<java.util.UUID, List<CadenceStore.StoredCadence>> published;

    /** The enrollment a cadence timer fired for, or null. */
    private static java.util.UUID timerEnrollment(Signal s) {
        return s.type().equals(Timers.FIRED) ? io.waymark.Ids.parse(s.payload().path("data").path("enrollment").asText("")) : null;
    }

    /**
     * Reads, once for the whole batch, the enrollments its signals are about: those whose timers
     * fired by id, and the live ones of the other signals' subjects (one query each per
     * organisation), so that a signal costs no query of its own; the enrollments' writes and the
     * effects (outbox entries, timers, signals) are held until {@link #endBatch}, which writes
     * them with one batched statement each.
     */
    @Override
    public void beginBatch(List<Signal> signals) {
        java.util.Map<java.util.UUID, Set<String>> subjects = new java.util.HashMap<>();
        java.util.Map<java.util.UUID, Set<java.util.UUID>> ids = new java.util.HashMap<>();
        for (Signal s : signals) {
            if (relevant(s)) {
                java.util.UUID id = timerEnrollment(s);
                if (id != null) {
                    ids.computeIfAbsent(s.orgId(), o -> new java.util.LinkedHashSet<>()).add(id);
                } else {
                    subjects.computeIfAbsent(s.orgId(), o -> new java.util.LinkedHashSet<>()).add(s.subject());
                }
            }
        }
        known = new java.util.HashMap<>();
        bySubject = new java.util.HashMap<>();
        ids.forEach((org, some) -> cadences.store().enrollmentsById(org, some).forEach(e -> known.put(e.id(), e)));
        subjects.forEach((org, subs) -> cadences.store().liveEnrollmentsOf(org, subs).forEach((sub, list) -> {
            List<java.util.UUID> of = new ArrayList<>();
            for (CadenceStore.Enrollment e : list) {
                known.putIfAbsent(e.id(), e);
                of.add(e.id());
            }
            bySubject.put(org + "|" + sub, of);
        }));
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
            known = null;
            bySubject = null;
            batch = null;
            published = null;
        }
    }

    /** Writes what the batch held so far, so that work reading enrollments from the store sees it; later look-ups go to the store. */
    private void writeThrough() {
        if (batch != null) {
            batch.flush(cadences);
            known.clear();
            bySubject.clear();
            complete = false;
        }
    }

    /** The live enrollments a signal is for: its subject's, or for a cadence timer only the one it fired for. */
    private List<CadenceStore.Enrollment> liveOf(Signal s, String key) {
        java.util.UUID timed = timerEnrollment(s);
        if (known == null) {
            List<CadenceStore.Enrollment> all = cadences.store().liveEnrollments(s.orgId(), s.subject());
            return timed == null ? all : all.stream().filter(e -> e.id().equals(timed)).toList();
        }
        if (timed != null) {
            CadenceStore.Enrollment e = known.get(timed);
            if (e == null && !complete) {
                e = cadences.store().findEnrollment(s.orgId(), timed).orElse(null);
                if (e != null) {
                    known.put(e.id(), e);
                }
            }
            return e != null && e.live() && e.subject().equals(s.subject()) ? List.of(e) : List.of();
        }
        List<java.util.UUID> ids = bySubject.get(key);
        if (ids == null && !complete) {
            ids = new ArrayList<>();
            for (CadenceStore.Enrollment e : cadences.store().liveEnrollments(s.orgId(), s.subject())) {
                known.putIfAbsent(e.id(), e);
                ids.add(e.id());
            }
            bySubject.put(key, ids);
        }
        if (ids == null) {
            return List.of();
        }
        List<CadenceStore.Enrollment> out = new ArrayList<>(ids.size());
        for (java.util.UUID id : ids) {
            CadenceStore.Enrollment e = known.get(id);
            if (e != null && e.live()) {
                out.add(e);
            }
        }
        return out;
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
        // Keep the batch's view current: what this signal saved replaces what was read.
        for (CadenceStore.Enrollment e : enrollments) {
            CadenceStore.Enrollment saved = batch.saved(e.id());
            if (saved != null) {
                known.put(e.id(), saved);
            }
        }
    }
}
