package io.waymark.blueprint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.action.ActionCatalog;
import io.waymark.action.ActionDefinition;
import io.waymark.action.Outbox;
import io.waymark.error.ConflictException;
import io.waymark.error.FieldError;
import io.waymark.error.ForbiddenException;
import io.waymark.error.NotFoundException;
import io.waymark.error.ProcessRuleException;
import io.waymark.error.ValidationException;
import io.waymark.error.WaymarkException;
import io.waymark.identity.Access;
import io.waymark.identity.Capability;
import io.waymark.identity.UserDirectory;
import io.waymark.json.Json;
import io.waymark.json.OrderedDefinitions;
import io.waymark.record.Field;
import io.waymark.record.FieldValues;
import io.waymark.record.Metadata;
import io.waymark.record.Module;
import io.waymark.record.ModuleCatalog;
import io.waymark.record.Record;
import io.waymark.record.RecordGuard;
import io.waymark.record.Records;
import io.waymark.signal.Signal;
import io.waymark.signal.SignalConsumer;
import io.waymark.timer.Timer;
import io.waymark.timer.Timers;
import io.waymark.tx.Transactor;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Blueprints: state machines over a picklist field of a module ({@link BlueprintDefinition}).
 *
 * <p>Definitions: create, change (a change of the flow makes a new version; records in flight
 * stay on theirs until {@link #migrate} moves them with an explicit state mapping), order,
 * switch off, delete. Runtime: a record enters the first active blueprint of its module (by
 * position) whose layout and criteria it matches and whose flow its current state belongs to —
 * in the transaction that creates or changes it. While it is in a blueprint its state field
 * changes only through a transition ({@link #guard()} refuses any other write with 409).
 * {@link #view} tells a user which transitions they may run and why not the others;
 * {@link #perform} runs one with its During input; {@link #history} lists what happened.
 * Automatic transitions and SLA escalations are timers, set when the record enters a state and
 * dropped when it leaves; they fire as signals that {@link #timerConsumer()} handles.
 */
public final class Blueprints {
    /** The purpose of the timers blueprints set. */
    public static final String TIMER_PURPOSE = "blueprint";
    private static final long CACHE_NANOS = 2_000_000_000L;

    private final BlueprintStore store;
    private final Metadata metadata;
    private final Records records;
    private final ActionCatalog actions;
    private final Outbox outbox;
    private final Timers timers;
    private final Access access;
    private final UserDirectory users;
    private final Transactor tx;
    private final Clock clock;
    /** Files attached to records, which During attachments name by id; null in an engine without them. */
    private final io.waymark.record.Attachments attachments;
    /** The record a transition is moving on this thread: its state field may change. */
    private final ThreadLocal<UUID> moving = new ThreadLocal<>();
    private final Map<String, BlueprintDefinition> definitions = new ConcurrentHashMap<>();
    private final Map<String, CachedList> active = new ConcurrentHashMap<>();

    private record CachedList(long loadedAt, List<BlueprintStore.StoredBlueprint> blueprints) {
    }

    public Blueprints(BlueprintStore store, Metadata metadata, Records records, ActionCatalog actions, Outbox outbox, Timers timers,
                      Access access, UserDirectory users, Transactor tx, Clock clock, io.waymark.record.Attachments attachments) {
        this.store = store;
        this.metadata = metadata;
        this.records = records;
        this.actions = actions;
        this.outbox = outbox;
        this.timers = timers;
        this.access = access;
        this.users = users;
        this.tx = tx;
        this.clock = clock;
        this.attachments = attachments;
    }

    // ------------------------------------------------------------------ definitions

    /** Creates a blueprint (active unless {@code "active": false}; last in its module's order unless {@code position} is given). */
    public ObjectNode create(Actor actor, JsonNode body) {
        access.require(actor, Capability.MANAGE_BLUEPRINTS);
        OrderedDefinitions.requireObject(body);
        ObjectNode flow = OrderedDefinitions.flowPart(body);
        BlueprintDefinition def = BlueprintDefinition.parse(actor, metadata.catalog(actor.orgId()), actions, flow);
        boolean isActive = OrderedDefinitions.bool(body, "active", true);
        List<BlueprintStore.StoredBlueprint> existing = store.list(actor.orgId(), def.module());
        int position = OrderedDefinitions.position(body, existing.stream().mapToInt(BlueprintStore.StoredBlueprint::position).max().orElse(0) + 1);
        Instant now = clock.instant();
        UUID id = Ids.next(clock);
        BlueprintStore.StoredBlueprint b = new BlueprintStore.StoredBlueprint(id, actor.orgId(), def.module(), def.name(), position, isActive, 1, 1, now, now);
        tx.run(() -> store.insert(b, new BlueprintStore.StoredVersion(id, 1, def.json(), now)));
        active.remove(actor.orgId() + "/" + def.module());
        return json(b, def.json());
    }

    /**
     * Changes a blueprint. {@code active} and {@code position} change it in place; any change to
     * the flow (name, field, layout, criteria, transitions, SLA) makes a new version, which new
     * records enter; records in flight stay on their version. With {@code revision}, a blueprint
     * changed meanwhile is refused (409).
     */
    public ObjectNode update(Actor actor, UUID id, JsonNode body) {
        access.require(actor, Capability.MANAGE_BLUEPRINTS);
        OrderedDefinitions.requireObject(body);
        BlueprintStore.StoredBlueprint current = store.find(actor.orgId(), id).orElseThrow(() -> notFound(id));
        BlueprintStore.StoredVersion latest = store.version(actor.orgId(), id, current.currentVersion()).orElseThrow();
        ObjectNode merged = OrderedDefinitions.changed(latest.definition(), current.module(), current.revision(), body, "Blueprint " + id, "blueprint");
        BlueprintDefinition def = BlueprintDefinition.parse(actor, metadata.catalog(actor.orgId()), actions, merged);
        boolean flowChanged = !def.json().equals(latest.definition());
        int version = flowChanged ? current.currentVersion() + 1 : current.currentVersion();
        Instant now = clock.instant();
        BlueprintStore.StoredBlueprint next = new BlueprintStore.StoredBlueprint(id, actor.orgId(), current.module(), def.name(),
                OrderedDefinitions.position(body, current.position()), OrderedDefinitions.bool(body, "active", current.active()), version, current.revision() + 1,
                current.createdAt(), now);
        tx.run(() -> {
            if (!store.update(next, current.revision(), flowChanged ? new BlueprintStore.StoredVersion(id, version, def.json(), now) : null)) {
                throw new ConflictException("Blueprint " + id + " was changed by someone else; read it again and retry");
            }
        });
        active.remove(actor.orgId() + "/" + current.module());
        return json(next, def.json());
    }

    public ObjectNode get(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_BLUEPRINTS);
        BlueprintStore.StoredBlueprint b = store.find(actor.orgId(), id).orElseThrow(() -> notFound(id));
        ObjectNode o = json(b, store.version(actor.orgId(), id, b.currentVersion()).orElseThrow().definition());
        Map<Integer, Long> inFlight = store.inFlight(actor.orgId(), id);
        ArrayNode versions = o.putArray("versions");
        for (BlueprintStore.StoredVersion v : store.versions(actor.orgId(), id)) {
            versions.addObject().put("version", v.version()).put("created_at", v.createdAt().toString())
                    .put("records_in_flight", inFlight.getOrDefault(v.version(), 0L));
        }
        return o;
    }

    /** One version of a blueprint's flow. */
    public ObjectNode version(Actor actor, UUID id, int version) {
        access.require(actor, Capability.MANAGE_BLUEPRINTS);
        store.find(actor.orgId(), id).orElseThrow(() -> notFound(id));
        BlueprintStore.StoredVersion v = store.version(actor.orgId(), id, version)
                .orElseThrow(() -> new NotFoundException("Blueprint " + id + " has no version " + version));
        ObjectNode o = v.definition().deepCopy();
        o.put("blueprint_id", id.toString());
        o.put("version", v.version());
        o.put("created_at", v.createdAt().toString());
        return o;
    }

    /** The organisation's blueprints (of one module when given), in each module's order. */
    public List<ObjectNode> list(Actor actor, String module) {
        access.require(actor, Capability.MANAGE_BLUEPRINTS);
        if (module != null) {
            metadata.catalog(actor.orgId()).get(module);
        }
        List<ObjectNode> out = new ArrayList<>();
        for (BlueprintStore.StoredBlueprint b : store.list(actor.orgId(), module)) {
            out.add(json(b, store.version(actor.orgId(), b.id(), b.currentVersion()).orElseThrow().definition()));
        }
        return out;
    }

    /**
     * Deletes a blueprint. Its records leave it (their state field is free again, their timers
     * are dropped, each gets a {@code removed} history line); the history stays.
     */
    public void delete(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_BLUEPRINTS);
        BlueprintStore.StoredBlueprint b = store.find(actor.orgId(), id).orElseThrow(() -> notFound(id));
        Instant now = clock.instant();
        tx.run(() -> {
            List<BlueprintStore.HistoryEntry> lines = new ArrayList<>();
            for (BlueprintStore.StoredVersion v : store.versions(actor.orgId(), id)) {
                UUID after = null;
                List<BlueprintStore.RecordState> batch;
                do {
                    batch = store.statesAt(actor.orgId(), id, v.version(), after, 500);
                    for (BlueprintStore.RecordState s : batch) {
                        cancelTimers(s.orgId(), s.recordId());
                        lines.add(history(s, "removed", null, s.state(), null, actor.userId(), Json.object().put("reason", "the blueprint was deleted"), now));
                        after = s.recordId();
                    }
                } while (batch.size() == 500);
            }
            store.delete(actor.orgId(), id);
            store.appendHistory(lines);
        });
        active.remove(actor.orgId() + "/" + b.module());
    }

    /**
     * Moves the records at {@code from_version} to the blueprint's current version. {@code states}
     * maps each old state to a state of the new version; an old state left out keeps its name,
     * which must then be a state of the new version. Every state that records stand in must end
     * up valid, or nothing moves. Each record restarts its stay (timers, parallel progress) in its
     * new state; one that lands in an exit state leaves the blueprint.
     *
     * @return how many records moved
     */
    public ObjectNode migrate(Actor actor, UUID id, JsonNode body) {
        access.require(actor, Capability.MANAGE_BLUEPRINTS);
        BlueprintStore.StoredBlueprint b = store.find(actor.orgId(), id).orElseThrow(() -> notFound(id));
        List<FieldError> errors = new ArrayList<>();
        JsonNode fv = body == null ? null : body.get("from_version");
        if (fv == null || !fv.isIntegralNumber() || fv.intValue() < 1 || fv.intValue() >= b.currentVersion()) {
            throw new ValidationException("Invalid from_version", List.of(new FieldError("from_version",
                    "must be an earlier version than the current one (" + b.currentVersion() + ")")));
        }
        int from = fv.intValue();
        store.version(actor.orgId(), id, from).orElseThrow(() -> new ValidationException("Unknown version",
                List.of(new FieldError("from_version", "blueprint " + id + " has no version " + from))));
        BlueprintDefinition target = definition(actor.orgId(), id, b.currentVersion());
        Map<String, String> mapping = new LinkedHashMap<>();
        JsonNode m = body.get("states");
        if (m != null && !m.isNull()) {
            if (!m.isObject()) {
                throw new ValidationException("Invalid states", List.of(new FieldError("states", "must map old states to new ones")));
            }
            Set<String> values = Set.copyOf(metadata.catalog(actor.orgId()).get(b.module()).field(target.field()).orElseThrow().picklistValues());
            for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String to = e.getValue().isTextual() ? e.getValue().textValue() : null;
                if (to == null || !values.contains(to)) {
                    errors.add(new FieldError("states." + e.getKey(), "must be a value of " + target.field()));
                } else {
                    mapping.put(e.getKey(), to);
                }
            }
        }
        List<BlueprintStore.RecordState> all = new ArrayList<>();
        UUID after = null;
        List<BlueprintStore.RecordState> batch;
        do {
            batch = store.statesAt(actor.orgId(), id, from, after, 1000);
            all.addAll(batch);
            after = batch.isEmpty() ? null : batch.get(batch.size() - 1).recordId();
        } while (batch.size() == 1000);
        Set<String> targetStates = target.states();
        for (BlueprintStore.RecordState s : all) {
            String to = mapping.getOrDefault(s.state(), s.state());
            if (!targetStates.contains(to) && errors.stream().noneMatch(e -> e.field().equals("states." + s.state()))) {
                errors.add(new FieldError("states." + s.state(), "records stand in '" + s.state() + "', which version " + b.currentVersion()
                        + " does not have; map it to one of " + targetStates));
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors.size() == 1 ? errors.get(0).field() + " " + errors.get(0).message() : errors.size() + " states are invalid", errors);
        }
        Instant now = clock.instant();
        Actor system = Actor.system(actor.orgId());
        tx.run(() -> {
            List<BlueprintStore.HistoryEntry> lines = new ArrayList<>();
            for (BlueprintStore.RecordState s : all) {
                String to = mapping.getOrDefault(s.state(), s.state());
                cancelTimers(s.orgId(), s.recordId());
                ObjectNode detail = Json.object().put("from_version", from).put("to_version", b.currentVersion());
                lines.add(history(s, "migrated", null, s.state(), to, actor.userId(), detail, now));
                if (!to.equals(s.state())) {
                    setState(system, s.module(), s.recordId(), target.field(), to);
                }
                BlueprintStore.RecordState moved = new BlueprintStore.RecordState(s.orgId(), s.recordId(), s.module(), id, b.currentVersion(), to,
                        now, List.of(), s.entry() + 1, s.revision() + 1);
                if (target.isExit(to)) {
                    store.deleteState(s.orgId(), s.recordId());
                    lines.add(history(moved, "exited", null, to, null, actor.userId(), Json.object(), now));
                } else {
                    if (!store.updateState(moved, s.revision())) {
                        throw new ConflictException("Record " + s.recordId() + " moved meanwhile; run the migration again");
                    }
                    scheduleTimers(moved, target, subjectOf(s));
                }
            }
            store.appendHistory(lines);
        });
        return Json.object().put("migrated", all.size()).put("to_version", b.currentVersion());
    }

    // ------------------------------------------------------------------ runtime

    /**
     * Where a record stands in its blueprint and, for the calling user, every transition from
     * its state: whether they may run it and, if not, why. A record in no blueprint answers with
     * {@code "blueprint": null}.
     */
    public ObjectNode view(Actor actor, String moduleName, UUID recordId) {
        Record r = records.get(actor, moduleName, recordId);
        ObjectNode o = Json.object();
        o.put("module", r.module());
        o.put("record_id", r.id().toString());
        BlueprintStore.RecordState s = store.state(actor.orgId(), recordId).orElse(null);
        if (s == null) {
            o.putNull("blueprint");
            o.putArray("transitions");
            return o;
        }
        BlueprintDefinition def = definition(actor.orgId(), s.blueprintId(), s.version());
        o.putObject("blueprint").put("id", s.blueprintId().toString()).put("name", def.name()).put("version", s.version())
                .put("field", def.field());
        o.put("state", s.state());
        o.put("entered_at", s.enteredAt().toString());
        ArrayNode ts = o.putArray("transitions");
        for (BlueprintDefinition.Transition t : def.outgoing(s.state())) {
            List<Denial> denials = denials(actor, r, s, def, t);
            ObjectNode j = ts.addObject();
            j.put("name", t.name());
            j.put("to", t.to());
            j.put("available", denials.isEmpty());
            ArrayNode reasons = j.putArray("reasons");
            denials.forEach(d -> reasons.add(d.message()));
            if (t.parallel() != null) {
                j.put("parallel", t.parallel());
                j.put("done", s.done().contains(t.name()));
            }
            if (t.automatic()) {
                j.put("automatic_after", t.automaticAfter().toString());
                j.put("due_at", s.enteredAt().plus(t.automaticAfter()).toString());
            }
            j.set("during", BlueprintDefinition.duringJson(t.during()));
        }
        return o;
    }

    /**
     * Runs a transition for the calling user with its During input
     * ({@code {"fields": {...}, "note": "...", "attachments": [...], "checklist": [...]}}).
     * Refusals change nothing: 403 when the user is not one of its owners, 422 when the record
     * does not meet its criteria or the transition does not leave the record's state, 400 naming
     * each missing or invalid During item, 409 when someone else moved the record meanwhile.
     * Returns the view after the transition.
     */
    public ObjectNode perform(Actor actor, String moduleName, UUID recordId, String transitionName, JsonNode body) {
        Record r = records.get(actor, moduleName, recordId);
        Module module = records.module(actor, moduleName);
        BlueprintStore.RecordState s = store.state(actor.orgId(), recordId)
                .orElseThrow(() -> new ProcessRuleException(module.apiName() + " record " + recordId + " is in no blueprint"));
        BlueprintDefinition def = definition(actor.orgId(), s.blueprintId(), s.version());
        BlueprintDefinition.Transition t = def.transition(transitionName);
        if (t == null || !t.from().contains(s.state())) {
            throw new ProcessRuleException("Transition '" + transitionName + "' does not leave state '" + s.state() + "'; available: "
                    + def.outgoing(s.state()).stream().map(BlueprintDefinition.Transition::name).toList());
        }
        for (Denial d : denials(actor, r, s, def, t)) {
            throw d.forbidden() ? new ForbiddenException(d.message()) : new ProcessRuleException(d.message());
        }
        boolean empty = body == null || body.isNull() || body.isMissingNode();
        if (!empty && !body.isObject()) {
            throw new ValidationException("A JSON object is required", List.of(new FieldError("body", "must be a JSON object")));
        }
        ObjectNode in = empty ? Json.object() : (ObjectNode) body;
        Checked checked = checkDuring(actor.orgId(), module, r, t, in);
        tx.run(() -> {
            ObjectNode relatedShown = Json.object();
            checked.related().forEach(rel -> rel.fields().fields().forEachRemaining(e -> relatedShown.set(rel.lookup() + "." + e.getKey(), e.getValue())));
            move(actor, module, r, s, def, t, checked.fields(), relatedShown, in);
            // The related records' fields commit with the transition, or the transition does not happen.
            for (Related rel : checked.related()) {
                try {
                    records.update(actor, rel.module(), rel.recordId(), rel.fields(), null);
                } catch (ValidationException e) {
                    throw new ValidationException(e.getMessage(), e.errors().stream()
                            .map(fe -> new FieldError("fields." + rel.lookup() + "." + fe.field(), fe.message())).toList());
                }
            }
        });
        return view(actor, moduleName, recordId);
    }

    /** A record's blueprint history, oldest first. Needs permission to see the record. */
    public BlueprintStore.HistoryPage history(Actor actor, String moduleName, UUID recordId, int limit, String cursor) {
        records.get(actor, moduleName, recordId);
        if (limit < 1 || limit > 1000) {
            throw new ValidationException("Invalid limit", List.of(new FieldError("limit", "must be between 1 and 1000")));
        }
        return store.history(actor.orgId(), recordId, limit, cursor);
    }

    /** A transition the calling user may run now, for My Jobs. */
    public record OpenTransition(String module, UUID recordId, String subject, UUID blueprintId, String blueprint, String state,
                                 String transition, String parallel, Instant since) {
    }

    /** The transitions that the user may run now on records they can see (at most {@code limit} records looked at). */
    public List<OpenTransition> openTransitions(Actor actor, String moduleFilter, int limit) {
        List<OpenTransition> out = new ArrayList<>();
        for (BlueprintStore.RecordState s : store.statesOf(actor.orgId(), moduleFilter, limit)) {
            Record r = records.visible(actor, s.module(), s.recordId());
            if (r == null) {
                continue;
            }
            BlueprintDefinition def = definition(actor.orgId(), s.blueprintId(), s.version());
            for (BlueprintDefinition.Transition t : def.outgoing(s.state())) {
                if (!t.automatic() && denials(actor, r, s, def, t).isEmpty()) {
                    out.add(new OpenTransition(s.module(), s.recordId(), r.subject(), s.blueprintId(), def.name(), s.state(), t.name(),
                            t.parallel(), s.enteredAt()));
                }
            }
        }
        return out;
    }

    /** The JSON form of a history line. */
    public static ObjectNode historyJson(BlueprintStore.HistoryEntry h) {
        ObjectNode o = Json.object();
        o.put("id", h.id().toString());
        o.put("record_id", h.recordId().toString());
        o.put("blueprint_id", h.blueprintId().toString());
        o.put("version", h.version());
        o.put("event", h.event());
        o.put("transition", h.transition());
        o.put("from_state", h.fromState());
        o.put("to_state", h.toState());
        o.put("actor", h.actorId() == null ? null : h.actorId().toString());
        o.set("detail", h.detail());
        o.put("occurred_at", h.occurredAt().toString());
        return o;
    }

    // ------------------------------------------------------------------ checks

    /** Why a user may not run a transition now; {@code forbidden} when it is about who they are. */
    private record Denial(boolean forbidden, String message) {
    }

    private List<Denial> denials(Actor actor, Record r, BlueprintStore.RecordState s, BlueprintDefinition def, BlueprintDefinition.Transition t) {
        List<Denial> out = new ArrayList<>();
        if (t.automatic()) {
            out.add(new Denial(false, "'" + t.name() + "' runs by itself after " + t.automaticAfter() + " in state '" + s.state() + "'"));
            return out;
        }
        if (!actor.isSystem() && !t.owners().isEmpty() && t.owners().stream().noneMatch(o -> owns(actor, r, o))) {
            out.add(new Denial(true, "You are not an owner of transition '" + t.name() + "'"));
        }
        if (t.parallel() != null && s.done().contains(t.name())) {
            out.add(new Denial(false, "'" + t.name() + "' is already done; the other transitions of '" + t.parallel() + "' are pending"));
        }
        if (t.criteria() != null && !t.criteria().matches(r, null, clock.instant(), users.timeZone(actor.orgId()))) {
            out.add(new Denial(false, "The record does not meet the criteria of transition '" + t.name() + "'"));
        }
        return out;
    }

    private boolean owns(Actor actor, Record r, BlueprintDefinition.Owner o) {
        return switch (o.type()) {
            case "user" -> o.id().equals(actor.userId());
            case "role" -> o.id().equals(access.roleOf(actor.orgId(), actor.userId()));
            case "group" -> access.members(actor.orgId(), o.id()).contains(actor.userId());
            case "record_owner" -> actor.userId().equals(r.owner());
            default -> false;
        };
    }

    /** Checks the During input; returns the field values to write (as given). Throws naming every problem. */
    private Checked checkDuring(UUID orgId, Module module, Record r, BlueprintDefinition.Transition t, ObjectNode in) {
        BlueprintDefinition.During d = t.during();
        List<FieldError> errors = new ArrayList<>();
        for (Iterator<String> it = in.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!Set.of("fields", "note", "attachments", "checklist").contains(k)) {
                errors.add(new FieldError(k, "unknown property; expected fields, note, attachments, checklist"));
            }
        }
        JsonNode given = in.get("fields");
        ObjectNode fields = Json.object();
        Map<String, Object> values = new HashMap<>(r.values());
        if (given != null && !given.isNull() && !given.isObject()) {
            errors.add(new FieldError("fields", "must be an object of field values"));
        } else if (given != null && given.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = given.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                BlueprintDefinition.DuringField df = d.fields().stream().filter(f -> f.field().equals(e.getKey())).findFirst().orElse(null);
                if (df == null) {
                    errors.add(new FieldError("fields." + e.getKey(), "is not a field of transition '" + t.name() + "'"));
                    continue;
                }
                if (df.related()) {
                    continue; // checked below, once the lookups' values are known
                }
                Field f = module.field(e.getKey()).orElseThrow();
                FieldValues.Result res = FieldValues.fromJson(f, e.getValue());
                if (!res.ok()) {
                    errors.add(new FieldError("fields." + e.getKey(), res.error()));
                } else {
                    values.put(f.apiName(), res.value());
                    fields.set(f.apiName(), e.getValue());
                }
            }
        }
        Map<UUID, Related> related = related(orgId, module, t, d, given, values, errors);
        for (BlueprintDefinition.DuringField f : d.fields()) {
            if (f.related()) {
                continue;
            }
            if (f.mandatory() && values.get(f.field()) == null || f.mandatory() && !fields.has(f.field()) && blank(values.get(f.field()))) {
                errors.add(new FieldError("fields." + f.field(), "is required by transition '" + t.name() + "'"));
            }
        }
        JsonNode note = in.get("note");
        if (note != null && !note.isNull() && (!note.isTextual() || note.textValue().length() > 5000)) {
            errors.add(new FieldError("note", "must be text of at most 5000 characters"));
        } else if ("mandatory".equals(d.note()) && (note == null || !note.isTextual() || note.textValue().isBlank())) {
            errors.add(new FieldError("note", "is required by transition '" + t.name() + "'"));
        } else if (d.note() == null && note != null && !note.isNull()) {
            errors.add(new FieldError("note", "transition '" + t.name() + "' takes no note"));
        }
        JsonNode att = in.get("attachments");
        if (att != null && !att.isNull() && (!att.isArray() || att.size() > 20 || !allText(att))) {
            errors.add(new FieldError("attachments", "must be a list of at most 20 attachment ids (uploaded to the record first)"));
        } else if ("mandatory".equals(d.attachments()) && (att == null || !att.isArray() || att.isEmpty())) {
            errors.add(new FieldError("attachments", "at least one attachment is required by transition '" + t.name() + "'"));
        } else if (d.attachments() == null && att != null && !att.isNull() && !att.isEmpty()) {
            errors.add(new FieldError("attachments", "transition '" + t.name() + "' takes no attachments"));
        } else if (att != null && att.isArray() && !att.isEmpty()) {
            in.set("attachments", attachmentsOf(orgId, r, (com.fasterxml.jackson.databind.node.ArrayNode) att, errors));
        }
        JsonNode cl = in.get("checklist");
        if (cl != null && !cl.isNull() && (!cl.isArray() || !allText(cl))) {
            errors.add(new FieldError("checklist", "must be the list of the items ticked"));
        } else {
            List<String> ticked = new ArrayList<>();
            if (cl != null && cl.isArray()) {
                cl.forEach(n -> ticked.add(n.textValue()));
            }
            for (String item : ticked) {
                if (!d.checklist().contains(item)) {
                    errors.add(new FieldError("checklist", "'" + item + "' is not an item of the checklist " + d.checklist()));
                }
            }
            for (String item : d.checklist()) {
                if (!ticked.contains(item)) {
                    errors.add(new FieldError("checklist", "item '" + item + "' is not ticked"));
                }
            }
        }
        if (errors.isEmpty()) {
            Record draft = new Record(r.id(), r.module(), r.layoutId(), r.subject(), r.version(), r.createdAt(), r.createdBy(), r.modifiedAt(),
                    r.modifiedBy(), values);
            for (BlueprintDefinition.Validation v : d.validations()) {
                if (!v.criteria().matches(draft, null, clock.instant(), users.timeZone(orgId))) {
                    String field = v.criteria().tests().isEmpty() ? "fields" : "fields." + v.criteria().tests().get(0).field().apiName();
                    errors.add(new FieldError(field, v.message()));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors.size() == 1 ? errors.get(0).field() + " " + errors.get(0).message()
                    : errors.size() + " items of the transition are missing or invalid", errors);
        }
        return new Checked(fields, List.copyOf(related.values()));
    }

    /** What a transition writes: the record's own fields (as given) and, per related record, its fields. */
    private record Checked(ObjectNode fields, List<Related> related) {
    }

    /** The fields a transition writes to one related record (the one {@code lookup} points to). */
    private record Related(String lookup, String module, UUID recordId, ObjectNode fields) {
    }

    /**
     * Checks the During fields of related records ({@code Lookup.Field}): the record must point to
     * one through the lookup (after this transition's own values), the value must suit the field,
     * and a mandatory one must be given or already held by the related record.
     */
    private Map<UUID, Related> related(UUID orgId, Module module, BlueprintDefinition.Transition t, BlueprintDefinition.During d, JsonNode given,
                                       Map<String, Object> values, List<FieldError> errors) {
        Map<UUID, Related> out = new java.util.LinkedHashMap<>();
        for (BlueprintDefinition.DuringField df : d.fields()) {
            if (!df.related()) {
                continue;
            }
            String key = "fields." + df.field();
            JsonNode value = given != null && given.isObject() ? given.get(df.field()) : null;
            Object target = values.get(df.lookup());
            Record rel = target instanceof UUID id ? records.findForSignal(orgId, df.relatedModule(), id) : null;
            if (rel == null) {
                if (value != null || df.mandatory()) {
                    errors.add(new FieldError(key, "the record has no " + df.lookup() + " to write " + df.relatedField() + " to: fill "
                            + df.lookup() + " first"));
                }
                continue;
            }
            if (value == null) {
                if (df.mandatory() && blank(rel.values().get(df.relatedField()))) {
                    errors.add(new FieldError(key, "is required by transition '" + t.name() + "'"));
                }
                continue;
            }
            Field f = metadata.catalog(orgId).get(df.relatedModule()).field(df.relatedField()).orElseThrow();
            FieldValues.Result res = FieldValues.fromJson(f, value);
            if (!res.ok()) {
                errors.add(new FieldError(key, res.error()));
            } else if (df.mandatory() && blank(res.value())) {
                errors.add(new FieldError(key, "is required by transition '" + t.name() + "'"));
            } else {
                out.computeIfAbsent(rel.id(), id -> new Related(df.lookup(), df.relatedModule(), id, Json.object())).fields().set(df.relatedField(), value);
            }
        }
        return out;
    }

    private static boolean blank(Object v) {
        return v == null || v instanceof String str && str.isBlank();
    }

    /**
     * The attachments a transition names, each an id of an attachment of the record, as the history
     * keeps them (id, file name, type, size); an unknown id is an error naming its position.
     */
    private com.fasterxml.jackson.databind.node.ArrayNode attachmentsOf(UUID orgId, Record r, com.fasterxml.jackson.databind.node.ArrayNode ids,
                                                                      List<FieldError> errors) {
        com.fasterxml.jackson.databind.node.ArrayNode out = Json.MAPPER.createArrayNode();
        if (attachments == null) {
            errors.add(new FieldError("attachments", "this server keeps no attachments"));
            return out;
        }
        List<UUID> wanted = new ArrayList<>();
        ids.forEach(n -> wanted.add(io.waymark.Ids.parse(n.textValue())));
        Map<UUID, io.waymark.record.Attachment> found = attachments.ofRecord(orgId, r.id(),
                wanted.stream().filter(java.util.Objects::nonNull).distinct().toList());
        for (int i = 0; i < wanted.size(); i++) {
            UUID id = wanted.get(i);
            io.waymark.record.Attachment a = id == null ? null : found.get(id);
            if (id == null) {
                errors.add(new FieldError("attachments[" + i + "]", "must be the id of an attachment of this record"));
            } else if (a == null) {
                errors.add(new FieldError("attachments[" + i + "]", "no attachment " + id + " on this record; upload it first"));
            } else if (a != null) {
                out.addObject().put("id", a.id().toString()).put("file_name", a.fileName()).put("content_type", a.contentType()).put("size", a.size());
            }
        }
        return out;
    }

    private static boolean allText(JsonNode list) {
        for (JsonNode n : list) {
            if (!n.isTextual() || n.textValue().isBlank() || n.textValue().length() > 500) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ moving

    /** Completes a transition in the caller's transaction: state row first (optimistic), then the record, history, actions, timers. */
    private void move(Actor actor, Module module, Record r, BlueprintStore.RecordState s, BlueprintDefinition def,
                      BlueprintDefinition.Transition t, ObjectNode fields, ObjectNode relatedFields, ObjectNode in) {
        Instant now = clock.instant();
        List<String> done = new ArrayList<>(s.done());
        boolean moves = true;
        if (t.parallel() != null) {
            done.add(t.name());
            moves = def.group(t.parallel()).stream().allMatch(g -> done.contains(g.name()));
        }
        ObjectNode detail = Json.object();
        if (!fields.isEmpty() || !relatedFields.isEmpty()) {
            ObjectNode shown = fields.deepCopy();
            shown.setAll(relatedFields);
            detail.set("fields", shown);
        }
        for (String k : List.of("note", "attachments", "checklist")) {
            if (in.hasNonNull(k)) {
                detail.set(k, in.get(k));
            }
        }
        List<BlueprintStore.HistoryEntry> lines = new ArrayList<>();
        BlueprintStore.RecordState next;
        if (moves) {
            next = new BlueprintStore.RecordState(s.orgId(), s.recordId(), s.module(), s.blueprintId(), s.version(), t.to(), now, List.of(),
                    s.entry() + 1, s.revision() + 1);
        } else {
            next = new BlueprintStore.RecordState(s.orgId(), s.recordId(), s.module(), s.blueprintId(), s.version(), s.state(), s.enteredAt(),
                    List.copyOf(done), s.entry(), s.revision() + 1);
        }
        boolean exits = moves && def.isExit(t.to());
        if (exits) {
            store.deleteState(s.orgId(), s.recordId());
        } else if (!store.updateState(next, s.revision())) {
            throw new ConflictException("The record moved in its blueprint meanwhile; read it again and retry");
        }
        ObjectNode input = fields.deepCopy();
        if (moves) {
            input.put(def.field(), t.to());
        }
        if (!input.isEmpty()) {
            moving.set(r.id());
            try {
                records.update(actor, module.apiName(), r.id(), input, null);
            } catch (ValidationException e) {
                List<FieldError> errs = e.errors().stream().map(fe -> fe.field().equals(def.field()) ? fe : new FieldError("fields." + fe.field(), fe.message())).toList();
                throw new ValidationException(e.getMessage(), errs);
            } finally {
                moving.remove();
            }
        }
        if (t.parallel() != null) {
            lines.add(history(s, "parallel_done", t.name(), s.state(), null, actor.userId(), detail, now));
        }
        if (moves) {
            lines.add(history(s, "transitioned", t.name(), s.state(), t.to(), actor.userId(), t.parallel() == null ? detail : Json.object(), now));
            cancelTimers(s.orgId(), s.recordId());
            if (exits) {
                lines.add(history(next, "exited", null, t.to(), null, actor.userId(), Json.object(), now));
            } else {
                scheduleTimers(next, def, r.subject());
            }
        }
        store.appendHistory(lines);
        enqueue(s, r.subject(), t.after(), "blueprint:" + s.blueprintId());
    }

    private void enqueue(BlueprintStore.RecordState s, String subject, List<ActionDefinition> list, String source) {
        if (list.isEmpty()) {
            return;
        }
        List<Outbox.NewAction> news = new ArrayList<>();
        for (ActionDefinition a : list) {
            news.add(new Outbox.NewAction(s.orgId(), source, a, s.module(), s.recordId(), subject, null, 0));
        }
        outbox.enqueue(news);
    }

    /** Writes the state field bypassing the lock (a migration). */
    private void setState(Actor system, String module, UUID recordId, String field, String state) {
        moving.set(recordId);
        try {
            records.update(system, module, recordId, Json.object().put(field, state), null);
        } finally {
            moving.remove();
        }
    }

    private String subjectOf(BlueprintStore.RecordState s) {
        Record r = records.findForSignal(s.orgId(), s.module(), s.recordId());
        return r == null ? s.recordId().toString() : r.subject();
    }

    // ------------------------------------------------------------------ timers

    private static String timerPrefix(UUID recordId) {
        return "bp:" + recordId + ":";
    }

    private void scheduleTimers(BlueprintStore.RecordState s, BlueprintDefinition def, String subject) {
        List<Timer> list = new ArrayList<>();
        for (BlueprintDefinition.Transition t : def.outgoing(s.state())) {
            if (t.automatic()) {
                ObjectNode data = Json.object().put("kind", "automatic").put("transition", t.name()).put("entry", s.entry());
                list.add(new Timer(s.orgId(), timerPrefix(s.recordId()) + "auto:" + t.index(), TIMER_PURPOSE, s.enteredAt().plus(t.automaticAfter()),
                        subject, s.module(), s.recordId(), data));
            }
        }
        for (BlueprintDefinition.Escalation e : def.sla().getOrDefault(s.state(), List.of())) {
            ObjectNode data = Json.object().put("kind", "sla").put("level", e.level()).put("entry", s.entry());
            list.add(new Timer(s.orgId(), timerPrefix(s.recordId()) + "sla:" + e.level(), TIMER_PURPOSE, s.enteredAt().plus(e.after()),
                    subject, s.module(), s.recordId(), data));
        }
        timers.schedule(list);
    }

    private void cancelTimers(UUID orgId, UUID recordId) {
        List<String> keys = timers.pending(orgId, timerPrefix(recordId), 100).stream().map(Timer::key).toList();
        timers.cancel(orgId, keys);
    }

    /** Handles the blueprint timers' signals: automatic transitions and SLA escalations. */
    public SignalConsumer timerConsumer() {
        return new SignalConsumer() {
            @Override
            public String name() {
                return "blueprints";
            }

            @Override
            public void accept(Signal signal) {
                if (Timers.FIRED.equals(signal.type()) && TIMER_PURPOSE.equals(signal.payload().path("purpose").asText())) {
                    fired(signal);
                }
            }
        };
    }

    private void fired(Signal signal) {
        JsonNode data = signal.payload().path("data");
        BlueprintStore.RecordState s = store.state(signal.orgId(), signal.recordId()).orElse(null);
        if (s == null || s.entry() != data.path("entry").asLong()) {
            return; // the record left the state (or the blueprint) since the timer was set
        }
        BlueprintDefinition def = definition(s.orgId(), s.blueprintId(), s.version());
        Instant now = clock.instant();
        Record r = records.findForSignal(s.orgId(), s.module(), s.recordId());
        if (r == null) {
            return;
        }
        if (data.path("kind").asText().equals("sla")) {
            int level = data.path("level").asInt();
            List<BlueprintDefinition.Escalation> levels = def.sla().getOrDefault(s.state(), List.of());
            if (level < levels.size()) {
                store.appendHistory(List.of(history(s, "sla_escalated", null, s.state(), null, null,
                        Json.object().put("level", level + 1).put("after", levels.get(level).after().toString()), now)));
                enqueue(s, r.subject(), levels.get(level).actions(), "blueprint_sla:" + s.blueprintId());
            }
            return;
        }
        BlueprintDefinition.Transition t = def.transition(data.path("transition").asText());
        if (t == null || !t.automatic() || !t.from().contains(s.state())) {
            return;
        }
        Actor system = Actor.system(s.orgId());
        Module module = metadata.catalog(s.orgId()).get(s.module());
        try {
            move(system, module, r, s, def, t, Json.object(), Json.object(), Json.object());
        } catch (WaymarkException e) {
            // Refused before anything was written (e.g. the record is locked by a pending approval): say so; do not retry forever.
            store.appendHistory(List.of(history(s, "automatic_failed", t.name(), s.state(), t.to(), null,
                    Json.object().put("reason", e.getMessage()), now)));
        }
    }

    // ------------------------------------------------------------------ the record guard

    /** The guard that locks the state field and lets records enter blueprints. Register it with {@link Records#guard}. */
    public RecordGuard guard() {
        return new RecordGuard() {
            @Override
            public void checkUpdate(Actor actor, Module module, Record before, Record after) {
                if (after.id().equals(moving.get())) {
                    return;
                }
                BlueprintStore.RecordState s = store.state(actor.orgId(), after.id()).orElse(null);
                if (s != null) {
                    checkState(actor, s, before, after);
                }
            }

            @Override
            public Map<Integer, RuntimeException> refusals(Actor actor, Module module, List<Record> before, List<Record> after) {
                // One read of the states of all the records, not one per record.
                Map<UUID, BlueprintStore.RecordState> states = store.states(actor.orgId(), after.stream().map(Record::id).toList());
                Map<Integer, RuntimeException> out = new java.util.HashMap<>();
                for (int i = 0; i < after.size() && !states.isEmpty(); i++) {
                    BlueprintStore.RecordState s = states.get(after.get(i).id());
                    if (s != null && !after.get(i).id().equals(moving.get())) {
                        try {
                            checkState(actor, s, before.get(i), after.get(i));
                        } catch (ConflictException e) {
                            out.put(i, e);
                        }
                    }
                }
                return out;
            }

            private void checkState(Actor actor, BlueprintStore.RecordState s, Record before, Record after) {
                BlueprintDefinition def = definition(actor.orgId(), s.blueprintId(), s.version());
                if (!java.util.Objects.equals(before.values().get(def.field()), after.values().get(def.field()))) {
                    throw new ConflictException("The record is in blueprint '" + def.name() + "' at state '" + s.state() + "': its "
                            + def.field() + " changes only through a transition (available: "
                            + def.outgoing(s.state()).stream().map(BlueprintDefinition.Transition::name).toList() + ")",
                            List.of(new FieldError(def.field(), "changes only through a blueprint transition")));
                }
            }

            @Override
            public void created(Actor actor, Module module, List<Record> list) {
                enter(actor, module, list, Map.of());
            }

            @Override
            public void updated(Actor actor, Module module, List<Record> before, List<Record> after) {
                if (activeBlueprints(actor.orgId(), module.apiName()).isEmpty()) {
                    return;
                }
                enter(actor, module, after, store.states(actor.orgId(), after.stream().map(Record::id).toList()));
            }

            @Override
            public void deleted(Actor actor, Module module, Record record) {
                BlueprintStore.RecordState s = store.state(actor.orgId(), record.id()).orElse(null);
                if (s != null) {
                    cancelTimers(actor.orgId(), record.id());
                    store.deleteState(actor.orgId(), record.id());
                    store.appendHistory(List.of(history(s, "removed", null, s.state(), null, actor.userId(),
                            Json.object().put("reason", "the record was deleted"), clock.instant())));
                }
            }
        };
    }

    /** Lets each record that is in no blueprint enter the first active one it fits. */
    private void enter(Actor actor, Module module, List<Record> list, Map<UUID, BlueprintStore.RecordState> already) {
        List<BlueprintStore.StoredBlueprint> candidates = activeBlueprints(actor.orgId(), module.apiName());
        if (candidates.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        List<BlueprintStore.HistoryEntry> lines = new ArrayList<>();
        for (Record r : list) {
            if (already.containsKey(r.id())) {
                continue;
            }
            for (BlueprintStore.StoredBlueprint b : candidates) {
                BlueprintDefinition def = definition(actor.orgId(), b.id(), b.currentVersion());
                Object state = r.values().get(def.field());
                if (!(state instanceof String st) || !def.states().contains(st) || def.isExit(st)
                        || def.layoutId() != null && !def.layoutId().equals(r.layoutId())
                        || def.compiled() != null && !def.compiled().matches(r, null, now, users.timeZone(actor.orgId()))) {
                    continue;
                }
                BlueprintStore.RecordState s = new BlueprintStore.RecordState(actor.orgId(), r.id(), module.apiName(), b.id(), b.currentVersion(),
                        st, now, List.of(), 1, 1);
                store.insertState(s);
                lines.add(history(s, "entered", null, null, st, actor.userId(), Json.object(), now));
                scheduleTimers(s, def, r.subject());
                break;
            }
        }
        store.appendHistory(lines);
    }

    // ------------------------------------------------------------------ loading

    private List<BlueprintStore.StoredBlueprint> activeBlueprints(UUID orgId, String module) {
        String key = orgId + "/" + module;
        CachedList c = active.get(key);
        long now = System.nanoTime();
        if (c != null && now - c.loadedAt < CACHE_NANOS) {
            return c.blueprints;
        }
        List<BlueprintStore.StoredBlueprint> list = store.list(orgId, module).stream().filter(BlueprintStore.StoredBlueprint::active).toList();
        active.put(key, new CachedList(now, list));
        return list;
    }

    /** A version's flow, parsed against the module as it is now; versions never change, so it is cached per catalogue version. */
    BlueprintDefinition definition(UUID orgId, UUID blueprintId, int version) {
        ModuleCatalog catalog = metadata.catalog(orgId);
        String key = blueprintId + "/" + version + "/" + catalog.version();
        BlueprintDefinition d = definitions.get(key);
        if (d == null) {
            BlueprintStore.StoredVersion v = store.version(orgId, blueprintId, version)
                    .orElseThrow(() -> new NotFoundException("Blueprint " + blueprintId + " has no version " + version));
            d = BlueprintDefinition.load(catalog, actions, v.definition());
            definitions.put(key, d);
        }
        return d;
    }

    private BlueprintStore.HistoryEntry history(BlueprintStore.RecordState s, String event, String transition, String from, String to,
                                                UUID actorId, ObjectNode detail, Instant now) {
        return new BlueprintStore.HistoryEntry(Ids.next(clock), s.orgId(), s.recordId(), s.blueprintId(), s.version(), event, transition,
                from, to, actorId, detail, now);
    }

    private static ObjectNode json(BlueprintStore.StoredBlueprint b, ObjectNode definition) {
        ObjectNode o = Json.object();
        o.put("id", b.id().toString());
        o.setAll(definition);
        o.put("position", b.position());
        o.put("active", b.active());
        o.put("version", b.currentVersion());
        o.put("revision", b.revision());
        o.put("created_at", b.createdAt().toString());
        o.put("modified_at", b.modifiedAt().toString());
        return o;
    }

    private static NotFoundException notFound(UUID id) {
        return new NotFoundException("No blueprint has id " + id);
    }
}
