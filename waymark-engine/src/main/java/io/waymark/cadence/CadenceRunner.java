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

    /** In a dispatcher batch: the org|subject keys with live enrollments (at its start, plus those enrolled in it); null outside one. */
    private Set<String> enrolled;
    /** In a dispatcher batch: each organisation's published cadences, read once; null outside one. */
    private java.util.Map<java.util.UUID, List<CadenceStore.StoredCadence>> published;

    /**
     * Looks up, once for the whole batch, which subjects have a live enrollment at all, so that
     * the signals of the others (most, in an organisation that uses journeys but few cadences)
     * cost no query each.
     */
    @Override
    public void beginBatch(List<Signal> signals) {
        java.util.Map<java.util.UUID, Set<String>> subjects = new java.util.HashMap<>();
        for (Signal s : signals) {
            if (relevant(s)) {
                subjects.computeIfAbsent(s.orgId(), o -> new java.util.LinkedHashSet<>()).add(s.subject());
            }
        }
        Set<String> keys = new java.util.HashSet<>();
        subjects.forEach((org, subs) -> cadences.store().subjectsWithLiveEnrollments(org, subs).forEach(sub -> keys.add(org + "|" + sub)));
        enrolled = keys;
        published = new java.util.HashMap<>();
    }

    @Override
    public void endBatch() {
        enrolled = null;
        published = null;
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
            if (cadences.recordChanged(s, cadencesOfOrg) && enrolled != null) {
                enrolled.add(key);
            }
            if (s.type().equals("record.created")) {
                return;
            }
        }
        if (enrolled != null && !enrolled.contains(key)) {
            return;
        }
        List<Cadences.Work> live = new ArrayList<>();
        for (CadenceStore.Enrollment e : cadences.store().liveEnrollments(s.orgId(), s.subject())) {
            // The enrollment's version (cached once parsed) names the cadence as it was published.
            CadenceDefinition d = cadences.definition(e.orgId(), e.cadenceId(), e.version());
            if (d != null) {
                live.add(new Cadences.Work(e, d, d.name()));
            }
        }
        if (!live.isEmpty()) {
            cadences.onSignal(s, live, new Cadences.Effects());
        }
    }
}
