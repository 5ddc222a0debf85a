package io.waymark.journey;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Ids;
import io.waymark.action.ActionDefinition;
import io.waymark.json.Json;
import io.waymark.record.Record;
import io.waymark.signal.Signal;
import io.waymark.timer.Timer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * How a journey decides: from an instance and a signal (or a due timer, or an admin's move) to
 * the instance's next state, the path lines and the actions. It does no I/O of its own (records
 * for criteria come through {@link RecordSource}), so the runner, the admin API and the simulator
 * share it; they decide what to do with the {@link Effects}.
 */
final class JourneyMachine {
    static final String TIMER_PURPOSE = "journey";
    /** Automatic transitions in a row after which a run stops moving (validation forbids loops; data can still surprise). */
    static final int MAX_AUTOMATIC = 25;

    /** Reads a record to test criteria on; null when it is gone. */
    interface RecordSource {
        Record find(UUID orgId, String module, UUID id);
    }

    /** An instance being worked on. */
    static final class Run {
        final UUID id;
        final UUID orgId;
        final UUID journeyId;
        final int version;
        final String subject;
        String state;
        String status;
        String module;
        UUID recordId;
        int visit;
        Instant enteredAt;
        final Instant startedAt;
        Instant endedAt;
        final boolean isNew;
        final int loadedVisit;

        Run(JourneyStore.Instance i) {
            this(i.id(), i.orgId(), i.journeyId(), i.version(), i.subject(), i.state(), i.status(), i.module(), i.recordId(), i.visit(),
                    i.enteredAt(), i.startedAt(), i.endedAt(), false);
        }

        Run(UUID id, UUID orgId, UUID journeyId, int version, String subject, String state, String status, String module, UUID recordId,
            int visit, Instant enteredAt, Instant startedAt, Instant endedAt, boolean isNew) {
            this.id = id;
            this.orgId = orgId;
            this.journeyId = journeyId;
            this.version = version;
            this.subject = subject;
            this.state = state;
            this.status = status;
            this.module = module;
            this.recordId = recordId;
            this.visit = visit;
            this.enteredAt = enteredAt;
            this.startedAt = startedAt;
            this.endedAt = endedAt;
            this.isNew = isNew;
            this.loadedVisit = visit;
        }

        boolean active() {
            return "active".equals(status);
        }

        JourneyStore.Instance snapshot() {
            return new JourneyStore.Instance(id, orgId, journeyId, version, subject, state, status, module, recordId, visit, enteredAt,
                    startedAt, endedAt);
        }
    }

    /** An action decided on: its key in the definition, and the record it acts on. */
    record Planned(String key, ActionDefinition action, String module, UUID recordId) {
    }

    /** A path line and the actions it decided (in the order of {@code detail.actions}). */
    record Move(Run run, JourneyStore.Step step, List<Planned> actions) {
    }

    /** Everything one piece of work decided, to be written together. */
    static final class Effects {
        final List<Move> moves = new ArrayList<>();
        final List<Timer> timersToSet = new ArrayList<>();
        final java.util.Map<UUID, List<String>> timersToCancel = new java.util.HashMap<>();
        final List<Run> touched = new ArrayList<>();

        void touch(Run r) {
            if (!touched.contains(r)) {
                touched.add(r);
            }
        }
    }

    private final Clock clock;
    private final RecordSource records;
    private final ZoneId zone;

    JourneyMachine(Clock clock, RecordSource records, ZoneId zone) {
        this.clock = clock;
        this.records = records;
        this.zone = zone;
    }

    // ------------------------------------------------------------------ entering

    /** Whether an entry trigger lets {@code s} start the journey (criteria included; re-entry is the caller's). */
    JourneyDefinition.Entry entryFor(JourneyDefinition def, Signal s, Instant now) {
        for (JourneyDefinition.Entry e : def.entries()) {
            if (e.signal() == null || !e.signal().equals(s.type())) {
                continue;
            }
            if (e.module() != null && !e.module().equals(s.module())) {
                continue;
            }
            if (e.criteria() != null && !matchesSignal(e.criteria(), s, now)) {
                continue;
            }
            return e;
        }
        return null;
    }

    /** Starts a run in {@code state}; {@code s} is the signal that entered it (null for the API). */
    Run start(JourneyDefinition def, UUID orgId, UUID journeyId, int version, String subject, String module, UUID recordId, String state,
              Signal s, UUID actor, Instant at, Effects fx) {
        Run run = new Run(Ids.next(clock), orgId, journeyId, version, subject, state, "active", module, recordId, 0, at, at, null, true);
        JourneyDefinition.State target = def.state(state);
        if (target.module() != null && s != null && target.module().equals(s.module()) && s.recordId() != null) {
            run.module = s.module();
            run.recordId = s.recordId();
        }
        fx.touch(run);
        enterState(def, run, state, "entered", null, null, s, actor, at, List.of(), null, fx, true);
        return run;
    }

    // ------------------------------------------------------------------ signals

    /**
     * Reacts to a signal about the run's subject: follows a converted lead to its contact, then
     * takes the first transition (by precedence) of the current state that the signal satisfies.
     * Returns whether the run changed.
     */
    boolean onSignal(JourneyDefinition def, Run run, Signal s, Effects fx) {
        if (!run.active()) {
            return false;
        }
        Instant at = clock.instant();
        boolean changed = false;
        if (s.type().equals("lead.converted") && "Leads".equals(run.module) && s.recordId() != null && s.recordId().equals(run.recordId)) {
            UUID contact = Ids.parse(s.payload().path("contact_id").asText(null));
            if (contact != null) {
                ObjectNode d = Json.object();
                d.put("from_module", run.module).put("from_record", String.valueOf(run.recordId)).put("to_module", "Contacts")
                        .put("to_record", contact.toString());
                run.module = "Contacts";
                run.recordId = contact;
                line(run, "followed", run.state, run.state, null, s, null, at, d, List.of(), fx);
                changed = true;
            }
        }
        JourneyDefinition.State st = def.state(run.state);
        for (JourneyDefinition.Transition t : st.transitions()) {
            if (t.signal() == null || !t.signal().equals(s.type())) {
                continue;
            }
            if (t.module() != null && !t.module().equals(s.module())) {
                continue;
            }
            if (t.criteria() != null && !matchesSignal(t.criteria(), s, at)) {
                continue;
            }
            if (t.recordCriteria() != null && !matchesRecord(t.recordCriteria(), run, at)) {
                continue;
            }
            move(def, run, t, "transition", s, null, at, null, fx);
            return true;
        }
        return changed;
    }

    /** A due timer of the run: a "did not happen" transition or the state's deadline. Ignores timers of an earlier visit. */
    boolean onTimer(JourneyDefinition def, Run run, Signal s, Effects fx) {
        ObjectNode data = (ObjectNode) s.payload().path("data");
        if (!run.active() || !run.state.equals(data.path("state").asText()) || run.enteredAt.toEpochMilli() != data.path("entered_at").asLong()) {
            return false;
        }
        Instant at = clock.instant();
        JourneyDefinition.State st = def.state(run.state);
        String kind = data.path("kind").asText();
        if (kind.equals("deadline") && st.deadline() != null) {
            JourneyDefinition.Deadline dl = st.deadline();
            if (dl.to() == null) {
                List<Planned> acts = new ArrayList<>();
                for (int i = 0; i < dl.actions().size(); i++) {
                    acts.add(new Planned(run.state + ":deadline:" + i, dl.actions().get(i), run.module, run.recordId));
                }
                line(run, "deadline", run.state, run.state, null, s, null, at, null, acts, fx);
                return true;
            }
            move(def, run, null, "deadline", s, null, at, null, fx);
            return true;
        }
        for (JourneyDefinition.Transition t : st.transitions()) {
            if (t.after() != null && t.key().equals(data.path("key").asText())) {
                if (t.recordCriteria() != null && !matchesRecord(t.recordCriteria(), run, at)) {
                    return false;
                }
                move(def, run, t, "timeout", s, null, at, null, fx);
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ moving

    /**
     * Moves the run out of its state: by {@code t}, by the state's deadline ({@code t} null, kind
     * deadline), or by an admin to {@code manualTo}. Runs the transition's actions and the target's
     * on-enter actions, sets the target's timers, then takes automatic transitions.
     */
    void move(JourneyDefinition def, Run run, JourneyDefinition.Transition t, String kind, Signal s, String manualTo, Instant at,
              UUID actor, Effects fx) {
        move(def, run, t, kind, s, manualTo, at, actor, null, true, fx);
    }

    void move(JourneyDefinition def, Run run, JourneyDefinition.Transition t, String kind, Signal s, String manualTo, Instant at,
              UUID actor, ObjectNode detail, boolean runActions, Effects fx) {
        JourneyDefinition.State from = def.state(run.state);
        String to = t != null ? t.to() : manualTo != null ? manualTo : from.deadline().to();
        if (t != null && t.to().equals(from.key())) {
            // A transition back into its own state is internal: its actions run, and the customer
            // stays where they are (no on-enter actions again, timers and time in state go on).
            List<Planned> own = new ArrayList<>();
            for (int i = 0; i < t.actions().size(); i++) {
                own.add(new Planned(from.key() + "." + t.key() + ":" + i, t.actions().get(i), run.module, run.recordId));
            }
            fx.touch(run);
            line(run, kind, from.key(), from.key(), t.key(), s, actor, at, detail, own, fx);
            return;
        }
        cancelTimers(from, run, fx);
        List<Planned> acts = new ArrayList<>();
        JourneyDefinition.State target = def.state(to);
        if (target.module() != null && s != null && target.module().equals(s.module()) && s.recordId() != null
                && !s.type().equals("record.deleted")) {
            run.module = s.module();
            run.recordId = s.recordId();
        }
        if (runActions) {
            List<ActionDefinition> list = t != null ? t.actions() : manualTo == null ? from.deadline().actions() : List.of();
            String prefix = t != null ? from.key() + "." + t.key() + ":" : from.key() + ":deadline:";
            for (int i = 0; i < list.size(); i++) {
                acts.add(new Planned(prefix + i, list.get(i), run.module, run.recordId));
            }
        }
        fx.touch(run);
        enterState(def, run, to, kind, from.key(), t == null ? null : t.key(), s, actor, at, acts, detail, fx, runActions);
    }

    private void enterState(JourneyDefinition def, Run run, String to, String kind, String from, String via, Signal s, UUID actor,
                            Instant at, List<Planned> acts, ObjectNode detail, Effects fx, boolean runActions) {
        for (int hop = 0; ; hop++) {
            JourneyDefinition.State target = def.state(to);
            List<Planned> all = new ArrayList<>(acts);
            if (runActions) {
                for (int i = 0; i < target.onEnter().size(); i++) {
                    all.add(new Planned(target.key() + ":enter:" + i, target.onEnter().get(i), run.module, run.recordId));
                }
            }
            run.state = target.key();
            run.enteredAt = at;
            if (target.isEnd()) {
                run.status = target.end().equals("success") ? "succeeded" : "failed";
                run.endedAt = at;
            }
            line(run, kind, from, target.key(), via, s, actor, at, detail, all, fx);
            if (target.isEnd()) {
                return;
            }
            setTimers(target, run, fx);
            JourneyDefinition.Transition auto = null;
            for (JourneyDefinition.Transition t : target.transitions()) {
                if (t.automatic() && matchesRecord(t.recordCriteria(), run, at)) {
                    auto = t;
                    break;
                }
            }
            if (auto == null) {
                return;
            }
            if (hop >= MAX_AUTOMATIC) {
                ObjectNode d = Json.object().put("error", "stopped after " + MAX_AUTOMATIC + " automatic transitions in a row");
                line(run, "stopped", run.state, run.state, null, s, null, at, d, List.of(), fx);
                return;
            }
            cancelTimers(target, run, fx);
            kind = "automatic";
            from = target.key();
            via = auto.key();
            to = auto.to();
            detail = null;
            runActions = true;
            acts = new ArrayList<>();
            for (int i = 0; i < auto.actions().size(); i++) {
                acts.add(new Planned(from + "." + via + ":" + i, auto.actions().get(i), run.module, run.recordId));
            }
            s = null;
            actor = null;
        }
    }

    private void line(Run run, String kind, String from, String to, String via, Signal s, UUID actor, Instant at, ObjectNode detail,
                      List<Planned> acts, Effects fx) {
        run.visit++;
        ObjectNode d = detail == null ? null : detail.deepCopy();
        if (!acts.isEmpty()) {
            d = d == null ? Json.object() : d;
            var arr = d.putArray("actions");
            for (Planned p : acts) {
                arr.addObject().put("key", p.key()).put("type", p.action().type());
            }
        }
        fx.moves.add(new Move(run, new JourneyStore.Step(run.id, run.visit, run.orgId, run.journeyId, run.version, kind, from, to, via,
                s == null ? null : s.id(), s == null ? null : s.type(), actor, at, d), acts));
    }

    private void setTimers(JourneyDefinition.State st, Run run, Effects fx) {
        for (JourneyDefinition.Transition t : st.transitions()) {
            if (t.after() != null) {
                fx.timersToSet.add(timer(run, st, "timeout", t.key(), run.enteredAt.plus(t.after())));
            }
        }
        if (st.deadline() != null) {
            fx.timersToSet.add(timer(run, st, "deadline", "deadline", run.enteredAt.plus(st.deadline().after())));
        }
    }

    private void cancelTimers(JourneyDefinition.State st, Run run, Effects fx) {
        for (JourneyDefinition.Transition t : st.transitions()) {
            if (t.after() != null) {
                cancel(fx, run.orgId, timerKey(run, st.key(), t.key()));
            }
        }
        if (st.deadline() != null) {
            cancel(fx, run.orgId, timerKey(run, st.key(), "deadline"));
        }
    }

    private static void cancel(Effects fx, UUID orgId, String key) {
        // A timer set and dropped within one batch need not reach the scheduler at all.
        if (!fx.timersToSet.removeIf(t -> t.key().equals(key) && t.orgId().equals(orgId))) {
            fx.timersToCancel.computeIfAbsent(orgId, o -> new ArrayList<>()).add(key);
        }
    }

    static String timerKey(Run run, String state, String key) {
        return "journey:" + run.id + ":" + state + ":" + key;
    }

    private Timer timer(Run run, JourneyDefinition.State st, String kind, String key, Instant due) {
        ObjectNode data = Json.object();
        data.put("instance", run.id.toString()).put("journey", run.journeyId.toString()).put("state", st.key()).put("kind", kind)
                .put("key", key).put("entered_at", run.enteredAt.toEpochMilli());
        return new Timer(run.orgId, timerKey(run, st.key(), key), TIMER_PURPOSE, due, run.subject, run.module, run.recordId, data);
    }

    /** An admin ends the run where it is. */
    void end(JourneyDefinition def, Run run, UUID actor, ObjectNode detail, Instant at, Effects fx) {
        cancelTimers(def.state(run.state), run, fx);
        run.status = "ended";
        run.endedAt = at;
        fx.touch(run);
        line(run, "ended", run.state, run.state, null, null, actor, at, detail, List.of(), fx);
    }

    /** Moves an instance to another version's state (no actions run); the new state's timers count from now. */
    Run migrate(JourneyDefinition src, JourneyDefinition dst, JourneyStore.Instance i, int toVersion, String toState, UUID actor, Instant at,
                Effects fx) {
        Run old = new Run(i);
        JourneyDefinition.State was = src.state(i.state());
        if (was != null) {
            cancelTimers(was, old, fx);
        }
        Run run = new Run(i.id(), i.orgId(), i.journeyId(), toVersion, i.subject(), toState, i.status(), i.module(), i.recordId(), i.visit(),
                at, i.startedAt(), i.endedAt(), false);
        fx.touch(run);
        ObjectNode d = Json.object();
        d.put("from_version", i.version()).put("to_version", toVersion);
        line(run, "migrated", i.state(), toState, null, null, actor, at, d, List.of(), fx);
        setTimers(dst.state(toState), run, fx);
        return run;
    }

    // ------------------------------------------------------------------ criteria

    private boolean matchesSignal(JourneyDefinition.Matcher m, Signal s, Instant now) {
        if (m.module().apiName().startsWith("signal:")) {
            return m.matches(JourneySignals.payloadRecord(m.module(), s), null, now, zone);
        }
        if (s.recordId() == null) {
            return false;
        }
        Record current = records.find(s.orgId(), m.module().apiName(), s.recordId());
        if (current == null) {
            return false;
        }
        Record previous = s.type().equals("record.updated") ? previous(m.module(), current, s.payload().path("changes")) : null;
        return m.matches(current, previous, now, zone);
    }

    private boolean matchesRecord(JourneyDefinition.Matcher m, Run run, Instant now) {
        if (run.recordId == null || !m.module().apiName().equals(run.module)) {
            return false;
        }
        Record r = records.find(run.orgId, run.module, run.recordId);
        return r != null && m.matches(r, null, now, zone);
    }

    private static Record previous(io.waymark.record.Module module, Record current, com.fasterxml.jackson.databind.JsonNode changes) {
        java.util.Map<String, Object> values = new java.util.LinkedHashMap<>(current.values());
        for (com.fasterxml.jackson.databind.JsonNode c : changes) {
            io.waymark.record.Field f = module.field(c.path("field").asText()).orElse(null);
            if (f != null) {
                io.waymark.record.FieldValues.Result r = io.waymark.record.FieldValues.fromJson(f, c.get("old"));
                values.put(f.apiName(), r.ok() ? r.value() : null);
            }
        }
        return new Record(current.id(), current.module(), current.layoutId(), current.subject(), current.version() - 1, current.createdAt(),
                current.createdBy(), current.modifiedAt(), current.modifiedBy(), values);
    }
}
