package io.waymark.journey;

import io.waymark.action.Outbox;
import io.waymark.action.OutboxEntry;
import io.waymark.signal.Causation;
import io.waymark.signal.Signal;
import io.waymark.signal.SignalConsumer;
import io.waymark.timer.Timers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Runs journeys: a {@link SignalConsumer} that moves instances as their subjects' signals arrive,
 * in per-subject order. It works a whole dispatcher batch at once: one read of the instances of
 * every subject in the batch, decisions in memory on compiled definitions, then one write each
 * for instances, path lines, outbox entries, timers and action counters — all in the
 * dispatcher's transaction, so a batch's decisions and actions commit together or not at all.
 * Signals no journey of the organisation cares about cost a set lookup and nothing else.
 */
public final class JourneyRunner implements SignalConsumer {
    public static final String NAME = "journeys";

    private final Journeys journeys;
    private final JourneyStore store;
    private final Outbox outbox;
    private final Timers timers;
    private Batch batch;

    JourneyRunner(Journeys journeys, JourneyStore store, Outbox outbox, Timers timers) {
        this.journeys = journeys;
        this.store = store;
        this.outbox = outbox;
        this.timers = timers;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Work in progress for one dispatcher batch. */
    private final class Batch {
        final Map<String, List<JourneyMachine.Run>> runs = new HashMap<>();
        final JourneyMachine.Effects fx = new JourneyMachine.Effects();
        final Map<String, JourneyStore.ActionStats> stats = new LinkedHashMap<>();
        final List<Signal> causes = new ArrayList<>();
        final List<Signal> moveCauses = new ArrayList<>();
    }

    @Override
    public void beginBatch(List<Signal> signals) {
        batch = new Batch();
        Map<UUID, Set<String>> subjects = new HashMap<>();
        for (Signal s : signals) {
            if (needsInstances(s)) {
                subjects.computeIfAbsent(s.orgId(), o -> new LinkedHashSet<>()).add(s.subject());
            }
        }
        for (Map.Entry<UUID, Set<String>> e : subjects.entrySet()) {
            for (JourneyStore.Instance i : store.instancesOf(e.getKey(), e.getValue())) {
                batch.runs.computeIfAbsent(key(i.orgId(), i.subject()), k -> new ArrayList<>()).add(new JourneyMachine.Run(i));
            }
        }
    }

    private boolean needsInstances(Signal s) {
        if (s.type().equals(Timers.FIRED)) {
            return JourneyMachine.TIMER_PURPOSE.equals(s.payload().path("purpose").asText());
        }
        if (s.type().startsWith("action.") && s.payload().path("source").asText().startsWith("journey:")) {
            return false;
        }
        return s.type().equals("lead.converted") || journeys.compiled(s.orgId()).interest().contains(s.type());
    }

    @Override
    public void accept(Signal s) {
        boolean alone = batch == null;
        if (alone) {
            beginBatch(List.of(s));
        }
        handle(s);
        if (alone) {
            endBatch();
        }
    }

    private void handle(Signal s) {
        if ((s.type().equals("action.succeeded") || s.type().equals("action.failed")) && s.payload().path("source").asText().startsWith("journey:")) {
            countResult(s);
            return;
        }
        if (!needsInstances(s)) {
            return;
        }
        Journeys.Compiled org = journeys.compiled(s.orgId());
        JourneyMachine machine = journeys.machine(s.orgId());
        List<JourneyMachine.Run> runs = batch.runs.computeIfAbsent(key(s.orgId(), s.subject()), k -> new ArrayList<>());
        int before = batch.fx.moves.size();
        if (s.type().equals(Timers.FIRED)) {
            UUID id = io.waymark.Ids.parse(s.payload().path("data").path("instance").asText(null));
            for (JourneyMachine.Run r : runs) {
                if (r.id.equals(id)) {
                    JourneyDefinition def = journeys.definition(s.orgId(), r.journeyId, r.version);
                    if (def != null) {
                        machine.onTimer(def, r, s, batch.fx);
                    }
                }
            }
        } else {
            for (JourneyMachine.Run r : new ArrayList<>(runs)) {
                if (r.active()) {
                    JourneyDefinition def = journeys.definition(s.orgId(), r.journeyId, r.version);
                    if (def != null) {
                        machine.onSignal(def, r, s, batch.fx);
                    }
                }
            }
            for (Journeys.Live j : org.live()) {
                JourneyDefinition.Entry e = machine.entryFor(j.definition(), s, s.occurredAt());
                if (e == null || !mayEnter(j, runs)) {
                    continue;
                }
                runs.add(machine.start(j.definition(), s.orgId(), j.id(), j.version(), s.subject(), s.module(), s.recordId(), e.state(), s,
                        null, journeys.now(), batch.fx));
            }
        }
        for (int i = before; i < batch.fx.moves.size(); i++) {
            batch.moveCauses.add(s);
        }
    }

    static boolean mayEnter(Journeys.Live j, List<JourneyMachine.Run> runs) {
        for (JourneyMachine.Run r : runs) {
            if (!r.journeyId.equals(j.id())) {
                continue;
            }
            switch (j.definition().reEntry()) {
                case NEVER -> {
                    return false;
                }
                case AFTER_END -> {
                    if (r.active()) {
                        return false;
                    }
                }
                case ALWAYS -> {
                }
            }
        }
        return true;
    }

    private void countResult(Signal s) {
        String[] parts = s.payload().path("source").asText().split(":", 4);
        if (parts.length < 4) {
            return;
        }
        UUID journey = io.waymark.Ids.parse(parts[1]);
        if (journey == null) {
            return;
        }
        int version = Integer.parseInt(parts[2]);
        boolean ok = s.type().equals("action.succeeded");
        stat(s.orgId(), journey, version, parts[3], s.payload().path("action_type").asText(), 0, ok ? 1 : 0, ok ? 0 : 1);
    }

    private void stat(UUID org, UUID journey, int version, String key, String type, long runs, long ok, long failed) {
        batch.stats.merge(journey + ":" + version + ":" + key, new JourneyStore.ActionStats(journey, version, key, type, runs, ok, failed),
                (a, b) -> new JourneyStore.ActionStats(a.journeyId(), a.version(), a.actionKey(), a.actionType(), a.runs() + b.runs(),
                        a.succeeded() + b.succeeded(), a.failed() + b.failed()));
    }

    @Override
    public void endBatch() {
        Batch b = batch;
        if (b == null) {
            return;
        }
        List<JourneyStore.Step> steps = new ArrayList<>();
        write(b.fx, b.moveCauses, steps);
        for (JourneyMachine.Move m : b.fx.moves) {
            for (JourneyMachine.Planned p : m.actions()) {
                stat(m.run().orgId, m.run().journeyId, m.run().version, p.key(), p.action().type(), 1, 0, 0);
            }
        }
        batch = null;
        if (!b.stats.isEmpty()) {
            store.addActionStats(new ArrayList<>(b.stats.values()));
        }
    }

    /**
     * Writes what a piece of work decided (outbox entries, instances, path lines, timers), in the
     * caller's transaction; the outbox wakes its workers once that transaction has committed.
     */
    void write(JourneyMachine.Effects fx, List<Signal> causes, List<JourneyStore.Step> steps) {
        if (fx.moves.isEmpty()) {
            return;
        }
        List<Outbox.NewAction> actions = new ArrayList<>();
        for (int i = 0; i < fx.moves.size(); i++) {
            JourneyMachine.Move m = fx.moves.get(i);
            Signal cause = causes == null || causes.size() <= i ? null : causes.get(i);
            int depth = cause == null ? 1 : Causation.depthOf(cause) + 1;
            for (JourneyMachine.Planned p : m.actions()) {
                actions.add(new Outbox.NewAction(m.run().orgId, "journey:" + m.run().journeyId + ":" + m.run().version + ":" + p.key(), p.action(),
                        p.module(), p.recordId(), m.run().subject, cause == null ? null : cause.id(), depth));
            }
        }
        List<OutboxEntry> entries = outbox.enqueue(actions);
        int next = 0;
        for (JourneyMachine.Move m : fx.moves) {
            JourneyStore.Step st = m.step();
            if (!m.actions().isEmpty()) {
                var arr = st.detail().withArray("actions");
                for (int k = 0; k < m.actions().size(); k++) {
                    ((com.fasterxml.jackson.databind.node.ObjectNode) arr.get(k)).put("outbox_entry", entries.get(next++).id().toString());
                }
            }
            steps.add(st);
        }
        List<JourneyStore.Instance> inserted = new ArrayList<>();
        List<JourneyStore.InstanceUpdate> updated = new ArrayList<>();
        for (JourneyMachine.Run r : fx.touched) {
            if (r.isNew) {
                inserted.add(r.snapshot());
            } else {
                updated.add(new JourneyStore.InstanceUpdate(r.snapshot(), r.loadedVisit));
            }
        }
        store.saveInstancesAndSteps(inserted, updated, steps);
        fx.timersToCancel.forEach(timers::cancel);
        if (!fx.timersToSet.isEmpty()) {
            timers.schedule(fx.timersToSet);
        }
    }

    private static String key(UUID org, String subject) {
        return org + "|" + subject;
    }
}
