package io.waymark.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.action.ActionDefinition;
import io.waymark.action.Outbox;
import io.waymark.action.OutboxEntry;
import io.waymark.identity.UserDirectory;
import io.waymark.json.Json;
import io.waymark.record.Field;
import io.waymark.record.FieldValues;
import io.waymark.record.Module;
import io.waymark.record.Metadata;
import io.waymark.record.Record;
import io.waymark.record.RecordStore;
import io.waymark.record.Records;
import io.waymark.signal.Causation;
import io.waymark.signal.Signal;
import io.waymark.signal.SignalConsumer;
import io.waymark.timer.Timer;
import io.waymark.timer.Timers;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs workflow rules: a {@link SignalConsumer} of record signals and of its own
 * {@code timer.fired} signals. For each active rule of the record's module whose trigger fits,
 * the first branch whose criteria match (else {@code otherwise}) decides: its instant actions go to
 * the outbox and its scheduled actions become timers — in the dispatcher's transaction, together
 * with the history line, so a decision is never half made.
 *
 * <p>Evaluation is off the write path on purpose: a record write only appends its signal, so
 * the number of rules does not slow writes down; rules see the record a few milliseconds later,
 * in the order of its changes. A scheduled action is re-checked when due (the record must still
 * match the branch) and is cancelled as soon as an edit makes the record stop matching. Every
 * action carries its depth in the chain of automations ({@link Causation}); a rule that keeps
 * triggering itself is stopped at {@code maxDepth} with a {@code loop_stopped} history line and an
 * error in the log.
 */
public final class RuleRunner implements SignalConsumer {
    public static final String NAME = "workflow-rules";
    public static final String PURPOSE = "workflow_rule";
    private static final Logger LOG = LoggerFactory.getLogger(RuleRunner.class);

    private final WorkflowRules rules;
    private final Outbox outbox;
    private final Timers timers;
    private final Records records;
    private final Metadata metadata;
    private final UserDirectory users;
    private final Clock clock;
    private final int maxDepth;

    public RuleRunner(WorkflowRules rules, Outbox outbox, Timers timers, Records records, Metadata metadata, UserDirectory users,
                      Clock clock, int maxDepth) {
        this.rules = rules;
        this.outbox = outbox;
        this.timers = timers;
        this.records = records;
        this.metadata = metadata;
        this.users = users;
        this.clock = clock;
        this.maxDepth = maxDepth;
        rules.attach(this);
    }

    @Override
    public String name() {
        return NAME;
    }

    public int maxDepth() {
        return maxDepth;
    }

    @Override
    public void accept(Signal s) {
        switch (s.type()) {
            case "record.created", "record.updated", "record.deleted" -> onRecord(s);
            case Timers.FIRED -> {
                if (PURPOSE.equals(s.payload().path("purpose").asText())) {
                    onTimer(s);
                }
            }
            default -> {
            }
        }
    }

    /** What one signal made the rules do; written at the end, in the same transaction. */
    private final class Decisions {
        final List<Outbox.NewAction> actions = new ArrayList<>();
        final List<Timer> timersToSet = new ArrayList<>();
        final List<String> timersToCancel = new ArrayList<>();
        final List<WorkflowStore.HistoryEntry> history = new ArrayList<>();
        final List<ObjectNode> pendingDetails = new ArrayList<>();
        final List<Integer> pendingActionCounts = new ArrayList<>();

        void history(WorkflowRules.LoadedRule rule, Record r, Signal s, String event, String branch, ObjectNode detail, int actionCount) {
            history.add(new WorkflowStore.HistoryEntry(Ids.next(clock), s.orgId(), rule.id(), rule.stored().module(),
                    r == null ? s.recordId() : r.id(), s.id(), event, branch, detail, clock.instant()));
            pendingDetails.add(detail);
            pendingActionCounts.add(actionCount);
        }

        void commit(UUID orgId) {
            List<OutboxEntry> entries = outbox.enqueue(actions);
            // Each history line lists the outbox entries its actions became, in order.
            int next = 0;
            for (int i = 0; i < pendingDetails.size(); i++) {
                int n = pendingActionCounts.get(i);
                if (n > 0) {
                    ArrayNode ids = pendingDetails.get(i).putArray("outbox_entries");
                    for (int k = 0; k < n; k++) {
                        ids.add(entries.get(next++).id().toString());
                    }
                }
            }
            if (!timersToCancel.isEmpty()) {
                timers.cancel(orgId, timersToCancel);
            }
            timers.schedule(timersToSet);
            if (!history.isEmpty()) {
                rules.store().appendHistory(history);
            }
        }
    }

    // ------------------------------------------------------------------ record signals

    private void onRecord(Signal s) {
        if (s.module() == null || s.recordId() == null) {
            return;
        }
        List<WorkflowRules.LoadedRule> active = rules.active(s.orgId(), s.module());
        if (active.isEmpty()) {
            return;
        }
        Module module = metadata.catalog(s.orgId()).find(s.module()).orElse(null);
        if (module == null) {
            return;
        }
        Record current;
        Record previous = null;
        boolean deleted = s.type().equals("record.deleted");
        if (deleted) {
            current = fromPayload(module, s, s.payload().path("fields"));
        } else {
            current = records.findForSignal(s.orgId(), s.module(), s.recordId());
            if (current == null) {
                // Deleted since; its record.deleted signal comes next and is handled then.
                return;
            }
            if (s.type().equals("record.updated")) {
                previous = previous(module, current, s.payload().path("changes"));
            }
        }
        ZoneId zone = users.timeZone(s.orgId());
        Instant now = clock.instant();
        int depth = Causation.depthOf(s);
        Decisions d = new Decisions();
        for (WorkflowRules.LoadedRule rule : active) {
            RuleDefinition def = rule.definition();
            RuleDefinition.Trigger t = def.trigger();
            if (t.type() == RuleDefinition.TriggerType.DATE) {
                dateChanged(rule, s, current, deleted, zone, now, d);
                continue;
            }
            if (deleted) {
                if (def.hasScheduled()) {
                    d.timersToCancel.addAll(allScheduledKeys(rule, current.id()));
                }
                if (t.type() != RuleDefinition.TriggerType.DELETE) {
                    continue;
                }
            } else if (previous != null && def.hasScheduled()) {
                cancelNoLongerMatching(rule, current, s, zone, now, d);
            }
            if (!fires(t, s)) {
                continue;
            }
            if (depth >= maxDepth) {
                LOG.error("workflow rule {} ({}) stopped on {} {}: {} automations in a row triggered each other (max {}) - check its field updates",
                        rule.id(), def.name(), s.module(), s.recordId(), depth, maxDepth);
                ObjectNode detail = Json.object();
                detail.put("depth", depth);
                detail.put("max_depth", maxDepth);
                detail.put("message", "Stopped: this rule was triggered by a chain of " + depth
                        + " automated changes (a rule re-triggering itself?). Its actions did not run.");
                d.history(rule, current, s, "loop_stopped", null, detail, 0);
                continue;
            }
            RuleDefinition.Branch b = firstMatch(def, current, previous, now, zone);
            if (b == null) {
                continue;
            }
            decide(rule, b, current, s, s.occurredAt(), depth + 1, zone, now, d, "executed");
        }
        d.commit(s.orgId());
    }

    private static boolean fires(RuleDefinition.Trigger t, Signal s) {
        return switch (s.type()) {
            case "record.created" -> t.onCreate();
            case "record.updated" -> {
                JsonNode changes = s.payload().path("changes");
                if (!changes.isArray() || changes.isEmpty() || !t.onEdit()) {
                    yield false;
                }
                if (t.type() != RuleDefinition.TriggerType.FIELD_UPDATE) {
                    yield true;
                }
                for (JsonNode c : changes) {
                    if (t.fields().contains(c.path("field").asText())) {
                        yield true;
                    }
                }
                yield false;
            }
            case "record.deleted" -> t.type() == RuleDefinition.TriggerType.DELETE;
            default -> false;
        };
    }

    private static RuleDefinition.Branch firstMatch(RuleDefinition def, Record r, Record previous, Instant now, ZoneId zone) {
        for (RuleDefinition.Branch b : def.branches()) {
            if (b.compiled() == null || b.compiled().matches(r, previous, now, zone)) {
                return b;
            }
        }
        return def.otherwise();
    }

    /** Queues a branch's instant actions and sets timers for its scheduled ones. */
    private void decide(WorkflowRules.LoadedRule rule, RuleDefinition.Branch b, Record r, Signal s, Instant triggeredAt, int depth,
                        ZoneId zone, Instant now, Decisions d, String event) {
        String source = PURPOSE + ":" + rule.id();
        for (ActionDefinition a : b.actions()) {
            d.actions.add(new Outbox.NewAction(s.orgId(), source, a, r.module(), r.id(), r.subject(), s.id(), depth));
        }
        ObjectNode detail = Json.object();
        detail.put("trigger", s.type());
        ArrayNode scheduled = Json.MAPPER.createArrayNode();
        Module module = metadata.catalog(s.orgId()).get(r.module());
        for (RuleDefinition.Scheduled g : b.scheduled()) {
            Instant due = scheduledDue(module, g, r, triggeredAt, zone);
            ObjectNode x = scheduled.addObject();
            x.put("scheduled", g.index());
            if (due == null) {
                x.put("skipped", g.fromField() + " is empty");
                continue;
            }
            if (due.isBefore(now)) {
                x.put("skipped", "due at " + due + ", already past");
                continue;
            }
            ObjectNode data = Json.object();
            data.put("rule_id", rule.id().toString());
            data.put("kind", "scheduled");
            data.put("branch", b.index());
            data.put("scheduled", g.index());
            data.put("depth", depth);
            String key = RuleDefinition.timerKey(rule.id(), r.id(), b.index() + ":" + g.index());
            d.timersToSet.add(new Timer(s.orgId(), key, PURPOSE, due, r.subject(), r.module(), r.id(), data));
            x.put("due_at", due.toString());
        }
        if (!scheduled.isEmpty()) {
            detail.set("scheduled", scheduled);
        }
        d.history(rule, r, s, event, b.label(), detail, b.actions().size());
    }

    private static Instant scheduledDue(Module module, RuleDefinition.Scheduled g, Record r, Instant triggeredAt, ZoneId zone) {
        if (g.fromField() == null) {
            return triggeredAt.plus(g.offset().duration());
        }
        Object v = r.value(g.fromField());
        if (v == null) {
            return null;
        }
        Instant base = v instanceof LocalDate date ? LocalDateTime.of(date, g.time()).atZone(zone).toInstant() : (Instant) v;
        return base.plus(g.offset().duration());
    }

    /** After an edit, drops the scheduled actions of branches the record no longer matches. */
    private void cancelNoLongerMatching(WorkflowRules.LoadedRule rule, Record r, Signal s, ZoneId zone, Instant now, Decisions d) {
        RuleDefinition def = rule.definition();
        boolean anyMatches = false;
        List<String> keys = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (RuleDefinition.Branch b : def.branches()) {
            boolean checkable = b.compiled() == null || !b.compiled().usesPrevious();
            boolean matches = b.compiled() == null || checkable && b.compiled().matches(r, null, now, zone);
            anyMatches |= matches && checkable;
            if (checkable && !matches && !b.scheduled().isEmpty()) {
                b.scheduled().forEach(g -> keys.add(RuleDefinition.timerKey(rule.id(), r.id(), b.index() + ":" + g.index())));
                labels.add(b.label());
            }
        }
        RuleDefinition.Branch o = def.otherwise();
        if (o != null && anyMatches && !o.scheduled().isEmpty()) {
            o.scheduled().forEach(g -> keys.add(RuleDefinition.timerKey(rule.id(), r.id(), "-1:" + g.index())));
            labels.add(o.label());
        }
        if (keys.isEmpty()) {
            return;
        }
        int cancelled = timers.cancel(s.orgId(), keys);
        if (cancelled > 0) {
            ObjectNode detail = Json.object();
            detail.put("reason", "the record no longer matches " + labels);
            detail.put("cancelled", cancelled);
            d.history(rule, r, s, "scheduled_cancelled", String.join(",", labels), detail, 0);
        }
    }

    private static List<String> allScheduledKeys(WorkflowRules.LoadedRule rule, UUID recordId) {
        List<String> keys = new ArrayList<>();
        for (RuleDefinition.Branch b : rule.definition().allBranches()) {
            b.scheduled().forEach(g -> keys.add(RuleDefinition.timerKey(rule.id(), recordId, b.index() + ":" + g.index())));
        }
        return keys;
    }

    // ------------------------------------------------------------------ date triggers

    private void dateChanged(WorkflowRules.LoadedRule rule, Signal s, Record r, boolean deleted, ZoneId zone, Instant now, Decisions d) {
        String key = RuleDefinition.timerKey(rule.id(), r.id(), "date");
        if (deleted) {
            d.timersToCancel.add(key);
            d.timersToCancel.addAll(allScheduledKeys(rule, r.id()));
            return;
        }
        String field = rule.definition().trigger().dateField();
        if (s.type().equals("record.updated")) {
            boolean changed = false;
            for (JsonNode c : s.payload().path("changes")) {
                changed |= field.equals(c.path("field").asText());
            }
            if (!changed) {
                return;
            }
        }
        Instant due = nextDateDue(rule.definition(), r, zone, now);
        if (due == null) {
            d.timersToCancel.add(key);
        } else {
            d.timersToSet.add(dateTimer(rule, r, due));
        }
    }

    private static Timer dateTimer(WorkflowRules.LoadedRule rule, Record r, Instant due) {
        ObjectNode data = Json.object();
        data.put("rule_id", rule.id().toString());
        data.put("kind", "date");
        return new Timer(rule.stored().orgId(), RuleDefinition.timerKey(rule.id(), r.id(), "date"), PURPOSE, due, r.subject(), r.module(), r.id(), data);
    }

    /**
     * When a date rule next fires for a record: the field's value (a date at the rule's time of
     * day, in the organisation's zone) plus or minus the offset, and for recurring rules the same
     * day of each later month or year; null when the field is empty or the moment has passed.
     */
    static Instant nextDateDue(RuleDefinition def, Record r, ZoneId zone, Instant after) {
        RuleDefinition.Trigger t = def.trigger();
        Object v = r.value(t.dateField());
        if (v == null) {
            return null;
        }
        LocalDateTime base = v instanceof LocalDate date ? LocalDateTime.of(date, t.time()) : LocalDateTime.ofInstant((Instant) v, zone);
        if (t.recurrence() == RuleDefinition.Recurrence.NONE) {
            Instant due = base.atZone(zone).toInstant().plus(t.offset().duration());
            return due.isAfter(after) ? due : null;
        }
        LocalDate today = LocalDate.ofInstant(after, zone);
        boolean yearly = t.recurrence() == RuleDefinition.Recurrence.YEARLY;
        // Start a period before now (an offset "before" can pull the due time back) and walk forward.
        YearMonth start = YearMonth.from(today).minusMonths(yearly ? 12 : 1).minusMonths(t.offset().duration().toDays() / 28 + 1);
        for (int i = 0; i < (yearly ? 6 : 30) + t.offset().duration().toDays() / 28; i++) {
            LocalDate day;
            if (yearly) {
                int year = start.getYear() + i;
                YearMonth ym = YearMonth.of(year, base.getMonth());
                day = ym.atDay(Math.min(base.getDayOfMonth(), ym.lengthOfMonth()));
            } else {
                YearMonth ym = start.plusMonths(i);
                day = ym.atDay(Math.min(base.getDayOfMonth(), ym.lengthOfMonth()));
            }
            if (day.isBefore(base.toLocalDate())) {
                continue;
            }
            Instant due = LocalDateTime.of(day, base.toLocalTime()).atZone(zone).toInstant().plus(t.offset().duration());
            if (due.isAfter(after)) {
                return due;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ timers

    private void onTimer(Signal s) {
        ObjectNode data = (ObjectNode) s.payload().path("data");
        UUID ruleId = Ids.parse(data.path("rule_id").asText());
        if (ruleId == null || s.recordId() == null) {
            return;
        }
        WorkflowRules.LoadedRule rule = rules.find(s.orgId(), ruleId);
        if (rule == null) {
            return;
        }
        Decisions d = new Decisions();
        Record r = records.findForSignal(s.orgId(), s.module(), s.recordId());
        Instant now = clock.instant();
        ZoneId zone = users.timeZone(s.orgId());
        if (!rule.stored().active() || r == null) {
            ObjectNode detail = Json.object();
            detail.put("reason", r == null ? "the record was deleted" : "the rule is inactive");
            d.history(rule, r, s, "scheduled_cancelled", null, detail, 0);
            d.commit(s.orgId());
            return;
        }
        RuleDefinition def = rule.definition();
        int depth = data.path("depth").asInt(1);
        if ("date".equals(data.path("kind").asText())) {
            if (def.trigger().type() != RuleDefinition.TriggerType.DATE) {
                return;
            }
            Instant dueAt = Instant.parse(s.payload().path("due_at").asText());
            Instant expected = nextDateDue(def, r, zone, dueAt.minusMillis(1));
            if (expected == null || !expected.equals(dueAt)) {
                // The date moved since the timer was set (and a new timer was set then); nothing to do now.
                return;
            }
            RuleDefinition.Branch b = firstMatch(def, r, null, now, zone);
            if (b != null) {
                decide(rule, b, r, s, dueAt, depth, zone, now, d, "executed");
            }
            if (def.trigger().recurrence() != RuleDefinition.Recurrence.NONE) {
                Instant next = nextDateDue(def, r, zone, dueAt);
                if (next != null) {
                    d.timersToSet.add(dateTimer(rule, r, next));
                }
            }
            d.commit(s.orgId());
            return;
        }
        int branchIndex = data.path("branch").asInt();
        int scheduledIndex = data.path("scheduled").asInt();
        RuleDefinition.Branch b = branchIndex < 0 ? def.otherwise()
                : branchIndex < def.branches().size() ? def.branches().get(branchIndex) : null;
        RuleDefinition.Scheduled g = b == null || scheduledIndex >= b.scheduled().size() ? null : b.scheduled().get(scheduledIndex);
        String reason = null;
        if (g == null) {
            reason = "the rule was changed and no longer has this scheduled action";
        } else if (!stillMatches(def, b, r, now, zone)) {
            reason = "the record no longer matches " + b.label();
        }
        if (reason != null) {
            ObjectNode detail = Json.object();
            detail.put("reason", reason);
            d.history(rule, r, s, "scheduled_cancelled", b == null ? null : b.label(), detail, 0);
        } else {
            String source = PURPOSE + ":" + rule.id();
            for (ActionDefinition a : g.actions()) {
                d.actions.add(new Outbox.NewAction(s.orgId(), source, a, r.module(), r.id(), r.subject(), s.id(), depth));
            }
            ObjectNode detail = Json.object();
            detail.put("scheduled", g.index());
            detail.put("due_at", s.payload().path("due_at").asText());
            d.history(rule, r, s, "scheduled_run", b.label(), detail, g.actions().size());
        }
        d.commit(s.orgId());
    }

    /** Re-check at the due time: the branch must still be the first match (change tests cannot be re-checked and count as met). */
    private static boolean stillMatches(RuleDefinition def, RuleDefinition.Branch b, Record r, Instant now, ZoneId zone) {
        for (RuleDefinition.Branch x : def.branches()) {
            boolean checkable = x.compiled() == null || !x.compiled().usesPrevious();
            boolean matches = x.compiled() == null || !checkable || x.compiled().matches(r, null, now, zone);
            if (x.index() == b.index()) {
                return matches;
            }
            if (matches && checkable) {
                return false;
            }
        }
        return b.index() < 0;
    }

    // ------------------------------------------------------------------ rule life cycle

    /** A rule was switched on: date rules set a timer for every record that has the date. */
    void ruleActivated(WorkflowRules.LoadedRule rule) {
        if (rule.definition().trigger().type() != RuleDefinition.TriggerType.DATE) {
            return;
        }
        UUID org = rule.stored().orgId();
        ZoneId zone = users.timeZone(org);
        Instant now = clock.instant();
        List<Timer> batch = new ArrayList<>();
        String cursor = null;
        do {
            RecordStore.RecordPage page = records.list(Actor.system(org), rule.stored().module(), null, null, 1000, cursor);
            for (Record r : page.records()) {
                Instant due = nextDateDue(rule.definition(), r, zone, now);
                if (due != null) {
                    batch.add(dateTimer(rule, r, due));
                }
            }
            timers.schedule(batch);
            batch.clear();
            cursor = page.next();
        } while (cursor != null);
    }

    /** A rule was switched off or changed: its date timers go (re-set on activation); scheduled actions are re-checked when due. */
    void ruleDeactivated(WorkflowRules.LoadedRule rule) {
        dropTimers(rule.stored(), true);
    }

    void ruleDeleted(WorkflowStore.StoredRule rule) {
        dropTimers(rule, false);
    }

    private void dropTimers(WorkflowStore.StoredRule rule, boolean dateOnly) {
        String prefix = "wf:" + rule.id() + ":";
        while (true) {
            List<String> keys = new ArrayList<>();
            for (Timer t : timers.pending(rule.orgId(), prefix, 1000)) {
                if (!dateOnly || t.key().endsWith(":date")) {
                    keys.add(t.key());
                }
            }
            if (keys.isEmpty() || timers.cancel(rule.orgId(), keys) == 0) {
                return;
            }
        }
    }

    // ------------------------------------------------------------------ snapshots

    private static Record previous(Module module, Record current, JsonNode changes) {
        Map<String, Object> values = new LinkedHashMap<>(current.values());
        for (JsonNode c : changes) {
            Field f = module.field(c.path("field").asText()).orElse(null);
            if (f != null) {
                FieldValues.Result r = FieldValues.fromJson(f, c.get("old"));
                values.put(f.apiName(), r.ok() ? r.value() : null);
            }
        }
        return new Record(current.id(), current.module(), current.layoutId(), current.subject(), current.version() - 1, current.createdAt(),
                current.createdBy(), current.modifiedAt(), current.modifiedBy(), values);
    }

    private static Record fromPayload(Module module, Signal s, JsonNode fields) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Field f : module.visibleFields()) {
            JsonNode v = fields.get(f.apiName());
            FieldValues.Result r = v == null ? null : FieldValues.fromJson(f, v);
            values.put(f.apiName(), r != null && r.ok() ? r.value() : null);
        }
        return new Record(s.recordId(), module.apiName(), null, s.subject(), s.payload().path("version").asLong(), s.occurredAt(),
                s.actor(), s.occurredAt(), s.actor(), values);
    }
}
