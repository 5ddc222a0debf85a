package io.waymark.kiosk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.action.ActionCatalog;
import io.waymark.action.ActionDefinition;
import io.waymark.action.Outbox;
import io.waymark.action.OutboxEntry;
import io.waymark.criteria.Criteria;
import io.waymark.criteria.CriteriaJson;
import io.waymark.error.ConflictException;
import io.waymark.error.FieldError;
import io.waymark.error.GoneException;
import io.waymark.error.NotFoundException;
import io.waymark.error.ValidationException;
import io.waymark.error.WaymarkException;
import io.waymark.flow.FlowDefinitions;
import io.waymark.flow.FlowStore;
import io.waymark.flow.Merge;
import io.waymark.flow.VarCriteria;
import io.waymark.identity.Access;
import io.waymark.identity.Capability;
import io.waymark.json.Json;
import io.waymark.record.Field;
import io.waymark.record.FieldValues;
import io.waymark.record.Metadata;
import io.waymark.record.Module;
import io.waymark.record.Record;
import io.waymark.record.RecordStore;
import io.waymark.record.Records;
import io.waymark.signal.SignalLog;
import io.waymark.tx.Transactor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Kiosk Studio: definitions (versioned, validated when saved, see {@link KioskDefinition}) and
 * runs. A run is a session of one user: it starts on a record of the kiosk's context module (or
 * without one), shows a screen with its data, takes the user's inputs and button, passes through
 * decisions and actions by itself, and stops at the next screen or an end.
 *
 * <p>Everything a run reads and writes goes through {@link Records} as the running user, so a
 * kiosk sees and changes only what that user may. Actions are collected as the run passes them
 * and carried out together when the run reaches an end: all of them in one transaction with the
 * run's completion, or none (the run then stays on the screen it was on, with the error).
 * A run left alone longer than the kiosk's idle timeout expires.
 */
public final class Kiosks {
    /** The kind under which kiosks live in the {@link FlowStore}. */
    public static final String KIND = "kiosk";
    static final String ACTIVE = "active";
    static final String COMPLETED = "completed";
    static final String ABANDONED = "abandoned";
    static final String EXPIRED = "expired";
    /** Passes through decisions and actions before a run must reach a screen or an end. */
    private static final int MAX_STEPS = 1_000;

    private final Metadata metadata;
    private final ActionCatalog actions;
    private final Outbox outbox;
    private final Records records;
    private final SignalLog signals;
    private final FlowStore store;
    private final Access access;
    private final Transactor tx;
    private final Clock clock;
    private final FlowDefinitions definitions;

    /**
     * @param actions the action catalogue, whose {@code send_email} kiosks use
     * @param outbox  where a run's emails wait to be sent, committed with its other actions; null
     *                in an engine without the automation runtime (kiosks then cannot send email)
     */
    public Kiosks(Metadata metadata, Records records, SignalLog signals, FlowStore store, Access access, ActionCatalog actions,
                  Outbox outbox, Transactor tx, Clock clock) {
        this.actions = actions;
        this.outbox = outbox;
        this.metadata = metadata;
        this.records = records;
        this.signals = signals;
        this.store = store;
        this.access = access;
        this.tx = tx;
        this.clock = clock;
        this.definitions = new FlowDefinitions(KIND, "kiosk", Capability.MANAGE_KIOSKS, (a, body) -> KioskDefinition.parse(body, metadata.catalog(a.orgId()), actions, a).name, store, access, tx, clock);
    }

    // ------------------------------------------------------------------ definitions

    /** Saves a new kiosk (version 1). */
    public ObjectNode create(Actor actor, JsonNode body) {
        return definitions.create(actor, body);
    }

    /** Saves a new version; runs in progress keep theirs. */
    public ObjectNode update(Actor actor, UUID id, JsonNode body) {
        return definitions.update(actor, id, body);
    }

    /** The newest version, or the given one. */
    public ObjectNode get(Actor actor, UUID id, Integer version) {
        return definitions.get(actor, id, version);
    }

    public List<ObjectNode> list(Actor actor) {
        return definitions.list(actor);
    }

    /** Every version, oldest first. */
    public List<ObjectNode> versions(Actor actor, UUID id) {
        return definitions.versions(actor, id);
    }

    /** An inactive kiosk cannot be started; runs in progress may finish. */
    public ObjectNode setActive(Actor actor, UUID id, boolean active) {
        return definitions.setActive(actor, id, active);
    }

    private FlowStore.Definition latest(Actor actor, UUID id) {
        return definitions.latest(actor, id);
    }

    // ------------------------------------------------------------------ runs

    /**
     * Starts a run of the kiosk's newest version.
     *
     * @param body {@code {"record_id": "..."}} when the kiosk has a context module (the record must be
     *             visible to the actor); {@code {}} otherwise
     */
    public ObjectNode start(Actor actor, UUID kioskId, JsonNode body) {
        FlowStore.Definition d = latest(actor, kioskId);
        if (!d.active()) {
            throw new io.waymark.error.ProcessRuleException("Kiosk '" + d.name() + "' is inactive");
        }
        KioskDefinition def = KioskDefinition.parse(d.body(), metadata.catalog(actor.orgId()));
        Map<String, JsonNode> vars = new HashMap<>();
        ObjectNode user = Json.object();
        user.put("id", actor.userId().toString());
        vars.put(KioskDefinition.USER, user);
        JsonNode rid = body == null ? null : body.get("record_id");
        UUID recordId = null;
        if (def.contextModule != null) {
            recordId = rid != null && rid.isTextual() ? Ids.parse(rid.textValue()) : null;
            if (recordId == null) {
                throw new ValidationException("This kiosk runs on a " + def.contextModule + " record",
                        List.of(new FieldError("record_id", "is required: the id of a " + def.contextModule + " record")));
            }
            Record r = records.get(actor, def.contextModule, recordId);
            vars.put(KioskDefinition.RECORD, render(actor, def.contextModule, r));
        } else if (rid != null && !rid.isNull()) {
            throw new ValidationException("This kiosk has no context module", List.of(new FieldError("record_id", "is not taken by this kiosk")));
        }
        Instant now = clock.instant();
        RunState state = new RunState(def.start, vars, new ArrayList<>(), Json.MAPPER.createArrayNode(), Json.object());
        state.path.add(def.start);
        UUID runId = Ids.next(clock);
        FlowStore.Run run = new FlowStore.Run(runId, KIND, d.id(), d.version(), actor.userId(), ACTIVE, recordId, null, now, now,
                now.plus(Duration.ofMinutes(def.idleMinutes)), 1);
        try {
            return tx.inTransaction(() -> {
                FlowStore.Run moved = advance(actor, def, run, state);
                store.insertRun(actor.orgId(), moved);
                return runView(actor, def, moved);
            });
        } catch (ActionFailed e) {
            throw e.cause;
        }
    }

    /** Where a run is now: the screen with its data, or the end. */
    public ObjectNode run(Actor actor, UUID runId) {
        FlowStore.Run run = loadRun(actor, runId);
        KioskDefinition def = definition(actor, run);
        return runView(actor, def, expireIfIdle(actor, run));
    }

    /**
     * Submits the current screen: {@code {"button": "next", "inputs": {"name": value, "list_name": "record id"}}}.
     * Inputs are validated per field type; on errors nothing changes and the answer names each input.
     */
    public ObjectNode submit(Actor actor, UUID runId, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new ValidationException("Invalid submission", List.of(new FieldError("body", "must be a JSON object with button and inputs")));
        }
        FlowStore.Run run = loadRun(actor, runId);
        KioskDefinition def = definition(actor, run);
        run = expireIfIdle(actor, run);
        if (!run.status().equals(ACTIVE)) {
            throw finished(run);
        }
        RunState state = RunState.of(run.state());
        ObjectNode screen = def.elements.get(state.at);
        String buttonName = body.path("button").isTextual() ? body.get("button").textValue() : null;
        JsonNode button = null;
        List<String> names = new ArrayList<>();
        for (JsonNode c : screen.get("components")) {
            if ("button".equals(c.path("type").asText())) {
                names.add(c.get("name").asText());
                if (c.get("name").asText().equals(buttonName)) {
                    button = c;
                }
            }
        }
        if (button == null) {
            throw new ValidationException("Unknown button", List.of(new FieldError("button", "must be one of " + names)));
        }
        JsonNode inputs = body.has("inputs") ? body.get("inputs") : Json.object();
        if (!inputs.isObject()) {
            throw new ValidationException("Invalid inputs", List.of(new FieldError("inputs", "must be an object of input names to values")));
        }
        boolean validate = button.path("validate").asBoolean(true);
        if (validate) {
            collect(actor, def, screen, state, (ObjectNode) inputs);
        }
        String next = button.get("next").asText();
        state.at = next;
        state.path.add(next);
        FlowStore.Run current = run;
        try {
            return tx.inTransaction(() -> {
                FlowStore.Run moved = advance(actor, def, current, state);
                if (!store.updateRun(actor.orgId(), moved)) {
                    throw new ConflictException("The run was changed by another request; read it again",
                            List.of(new FieldError("run", "was changed meanwhile")));
                }
                return runView(actor, def, moved);
            });
        } catch (ActionFailed e) {
            throw e.cause;
        }
    }

    /** Ends a run without carrying out its actions. */
    public void abandon(Actor actor, UUID runId) {
        FlowStore.Run run = loadRun(actor, runId);
        if (!run.status().equals(ACTIVE)) {
            throw finished(run);
        }
        Instant now = clock.instant();
        FlowStore.Run ended = new FlowStore.Run(run.id(), KIND, run.definitionId(), run.version(), run.userId(), ABANDONED, run.recordId(),
                run.state(), run.createdAt(), now, run.expiresAt(), run.revision() + 1);
        if (!tx.inTransaction(() -> store.updateRun(actor.orgId(), ended))) {
            throw new ConflictException("The run was changed by another request; read it again", List.of(new FieldError("run", "was changed meanwhile")));
        }
    }

    /** Marks every run idle past its timeout as expired (the server calls this every five minutes). */
    public int expireIdleRuns() {
        return tx.inTransaction(() -> store.expire(KIND, ACTIVE, clock.instant()));
    }

    // ------------------------------------------------------------------ the machine

    private FlowStore.Run loadRun(Actor actor, UUID runId) {
        FlowStore.Run run = store.run(actor.orgId(), KIND, runId).orElse(null);
        // Another user's run is as invisible as a run that does not exist.
        if (run == null || !run.userId().equals(actor.userId())) {
            throw new NotFoundException("No kiosk run has id " + runId);
        }
        return run;
    }

    private KioskDefinition definition(Actor actor, FlowStore.Run run) {
        FlowStore.Definition d = store.version(actor.orgId(), KIND, run.definitionId(), run.version())
                .orElseThrow(() -> new NotFoundException("The kiosk of run " + run.id() + " is gone"));
        return KioskDefinition.parse(d.body(), metadata.catalog(actor.orgId()));
    }

    private FlowStore.Run expireIfIdle(Actor actor, FlowStore.Run run) {
        if (run.status().equals(ACTIVE) && !clock.instant().isBefore(run.expiresAt())) {
            FlowStore.Run expired = new FlowStore.Run(run.id(), KIND, run.definitionId(), run.version(), run.userId(), EXPIRED,
                    run.recordId(), run.state(), run.createdAt(), run.updatedAt(), run.expiresAt(), run.revision() + 1);
            tx.inTransaction(() -> store.updateRun(actor.orgId(), expired));
            return expired;
        }
        return run;
    }

    private static WaymarkException finished(FlowStore.Run run) {
        return switch (run.status()) {
            case EXPIRED -> new GoneException("This kiosk run expired at " + run.expiresAt() + " after being left idle; start a new one");
            case ABANDONED -> new GoneException("This kiosk run was abandoned; start a new one");
            default -> new GoneException("This kiosk run is " + run.status());
        };
    }

    /** Validates and stores a screen's inputs and selections into the run's variables. */
    private void collect(Actor actor, KioskDefinition def, ObjectNode screen, RunState state, ObjectNode inputs) {
        List<FieldError> errors = new ArrayList<>();
        Map<String, JsonNode> values = new HashMap<>();
        java.util.Set<String> accepted = new java.util.HashSet<>();
        ObjectNode shown = (ObjectNode) state.screen.path("lists");
        for (JsonNode c : screen.get("components")) {
            String type = c.path("type").asText();
            String name = c.path("name").asText();
            switch (type) {
                case "input" -> {
                    accepted.add(name);
                    Field field = def.inputs.get(name);
                    JsonNode v = inputs.get(name);
                    FieldValues.Result r = FieldValues.fromJson(field, v);
                    if (!r.ok()) {
                        errors.add(new FieldError("inputs." + name, r.error()));
                    } else if (r.value() == null && field.required()) {
                        errors.add(new FieldError("inputs." + name, "is required"));
                    } else {
                        values.put(name, FieldValues.toJson(r.value()));
                    }
                }
                case "record_list", "related_list" -> {
                    if (!c.path("selectable").asBoolean(true)) {
                        continue;
                    }
                    accepted.add(name);
                    JsonNode v = inputs.get(name);
                    if (v == null || v.isNull()) {
                        if (c.path("required").asBoolean(false)) {
                            errors.add(new FieldError("inputs." + name, "select one of the listed records"));
                        } else {
                            values.put(name, Json.MAPPER.nullNode());
                        }
                        continue;
                    }
                    UUID id = v.isTextual() ? Ids.parse(v.textValue()) : null;
                    boolean listed = false;
                    for (JsonNode row : shown.path(name)) {
                        listed |= id != null && row.path("id").asText().equals(id.toString());
                    }
                    if (!listed) {
                        errors.add(new FieldError("inputs." + name, "must be the id of one of the listed records"));
                        continue;
                    }
                    String module = def.recordVars.get(name);
                    values.put(name, render(actor, module, records.get(actor, module, id)));
                }
                default -> {
                }
            }
        }
        for (Iterator<String> it = inputs.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!accepted.contains(k)) {
                errors.add(new FieldError("inputs." + k, "is not an input or selectable list of this screen; expected one of " + accepted));
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors.size() == 1 ? errors.get(0).field() + " " + errors.get(0).message()
                    : errors.size() + " inputs are invalid", errors);
        }
        state.vars.putAll(values);
    }

    /** Moves through decisions and actions until a screen (loading its data) or an end (committing). */
    private FlowStore.Run advance(Actor actor, KioskDefinition def, FlowStore.Run run, RunState state) {
        Instant now = clock.instant();
        for (int steps = 0; steps < MAX_STEPS; steps++) {
            ObjectNode e = def.elements.get(state.at);
            switch (e.get("type").asText()) {
                case "screen" -> {
                    enterScreen(actor, def, e, state);
                    return new FlowStore.Run(run.id(), KIND, run.definitionId(), run.version(), run.userId(), ACTIVE, run.recordId(),
                            state.json(), run.createdAt(), now, now.plus(Duration.ofMinutes(def.idleMinutes)), run.revision() + 1);
                }
                case "decision" -> {
                    String next = e.get("otherwise").asText();
                    for (JsonNode b : e.get("branches")) {
                        Criteria c = CriteriaJson.parse(b.get("criteria"), "criteria");
                        if (VarCriteria.matches(c, state.vars)) {
                            next = b.get("next").asText();
                            break;
                        }
                    }
                    state.at = next;
                    state.path.add(next);
                }
                case "action" -> {
                    JsonNode actions = e.get("actions");
                    for (int i = 0; i < actions.size(); i++) {
                        ObjectNode staged = Json.object();
                        staged.put("element", state.at);
                        staged.put("index", i);
                        staged.set("action", Merge.resolve(actions.get(i), state.vars));
                        state.staged.add(staged);
                    }
                    state.at = e.get("next").asText();
                    state.path.add(state.at);
                }
                default -> {
                    ObjectNode results = commit(actor, state);
                    Map<String, JsonNode> all = new HashMap<>(state.vars);
                    results.fields().forEachRemaining(f -> all.put(f.getKey(), f.getValue()));
                    ObjectNode end = Json.object();
                    end.put("message", Merge.text(e.path("message").asText(null), all));
                    end.put("success", e.path("success").asBoolean(true));
                    end.set("results", results);
                    state.screen = end;
                    return new FlowStore.Run(run.id(), KIND, run.definitionId(), run.version(), run.userId(), COMPLETED, run.recordId(),
                            state.json(), run.createdAt(), now, run.expiresAt(), run.revision() + 1);
                }
            }
        }
        throw new io.waymark.error.ProcessRuleException("The kiosk passed " + MAX_STEPS + " elements without reaching a screen or an end");
    }

    /** Fetches a screen's lists and records as the user and keeps them in the run. */
    private void enterScreen(Actor actor, KioskDefinition def, ObjectNode screen, RunState state) {
        ObjectNode lists = Json.object();
        for (JsonNode c : screen.get("components")) {
            String type = c.path("type").asText();
            String name = c.path("name").asText();
            switch (type) {
                case "record_list" -> {
                    String module = c.get("module").asText();
                    Criteria criteria = null;
                    if (c.has("criteria")) {
                        criteria = CriteriaJson.parse(scalars(Merge.resolve(c.get("criteria"), state.vars)), "criteria");
                    }
                    RecordStore.RecordPage page = records.list(actor, module, criteria, c.path("sort").asText(null),
                            c.path("limit").asInt(20), null);
                    lists.set(name, renderAll(actor, module, page.records()));
                    if (!c.path("selectable").asBoolean(true)) {
                        state.vars.put(name, lists.get(name));
                    }
                }
                case "related_list" -> {
                    String module = c.get("module").asText();
                    String of = c.get("of").asText();
                    JsonNode parent = state.vars.get(of);
                    ArrayNode rows = Json.MAPPER.createArrayNode();
                    if (parent != null && parent.hasNonNull("id")) {
                        RecordStore.RecordPage page = records.related(actor, def.recordVars.get(of), UUID.fromString(parent.get("id").asText()),
                                module, c.path("via").asText(null), c.path("limit").asInt(20), null);
                        rows = renderAll(actor, module, page.records());
                    }
                    lists.set(name, rows);
                    if (!c.path("selectable").asBoolean(true)) {
                        state.vars.put(name, rows);
                    }
                }
                case "record" -> {
                    String module = c.get("module").asText();
                    JsonNode id = Merge.scalar(Merge.resolve(c.get("id"), state.vars));
                    UUID uuid = id != null && id.isTextual() ? Ids.parse(id.textValue()) : null;
                    JsonNode rec = Json.MAPPER.nullNode();
                    if (uuid != null) {
                        try {
                            rec = render(actor, module, records.get(actor, module, uuid));
                        } catch (NotFoundException gone) {
                            // Shown as empty: the record is gone or not visible to this user.
                        }
                    }
                    state.vars.put(name, rec);
                }
                default -> {
                }
            }
        }
        ObjectNode s = Json.object();
        s.set("lists", lists);
        state.screen = s;
    }

    /** Lookup objects in resolved criteria values stand for their ids. */
    private static JsonNode scalars(JsonNode criteria) {
        if (criteria.isObject()) {
            for (JsonNode c : criteria.path("conditions")) {
                if (c.isObject() && c.has("value")) {
                    ((ObjectNode) c).set("value", Merge.scalar(c.get("value")));
                }
                if (c.isObject() && c.path("values").isArray()) {
                    ArrayNode vs = (ArrayNode) c.get("values");
                    for (int i = 0; i < vs.size(); i++) {
                        vs.set(i, Merge.scalar(vs.get(i)));
                    }
                }
            }
        }
        return criteria;
    }

    /** Carries out every collected action in the caller's transaction; the first failure undoes all. */
    private ObjectNode commit(Actor actor, RunState state) {
        ObjectNode results = Json.object();
        Map<String, JsonNode> resultVars = new HashMap<>();
        for (JsonNode staged : state.staged) {
            String where = staged.get("element").asText() + ".actions[" + staged.get("index").asInt() + "]";
            JsonNode a = Merge.resolve(staged.get("action"), resultVars);
            try {
                JsonNode out = execute(actor, a);
                if (a.path("store_as").isTextual() && out != null) {
                    results.set(a.get("store_as").asText(), out);
                    resultVars.put(a.get("store_as").asText(), out);
                }
            } catch (WaymarkException e) {
                throw new ActionFailed(relabel(e, where));
            }
        }
        return results;
    }

    private JsonNode execute(Actor actor, JsonNode a) {
        switch (a.get("type").asText()) {
            case "create_record" -> {
                String module = a.get("module").asText();
                Record r = records.create(actor, module, scalarValues(a.get("values")), io.waymark.record.CreationSource.KIOSK);
                return render(actor, module, r);
            }
            case "update_record" -> {
                String module = a.get("module").asText();
                JsonNode idNode = Merge.scalar(a.get("record"));
                UUID id = idNode != null && idNode.isTextual() ? Ids.parse(idNode.textValue()) : null;
                if (id == null) {
                    throw new ValidationException("No record to update", List.of(new FieldError("record", "did not resolve to a record id")));
                }
                Record r = records.update(actor, module, id, scalarValues(a.get("values")), null);
                return render(actor, module, r);
            }
            case "send_email" -> {
                if (outbox == null) {
                    throw new io.waymark.error.ProcessRuleException("This server runs no outbox, so kiosks cannot send email");
                }
                String module = a.get("module").asText();
                JsonNode idNode = Merge.scalar(a.get("record"));
                UUID id = idNode != null && idNode.isTextual() ? Ids.parse(idNode.textValue()) : null;
                if (id == null) {
                    throw new ValidationException("No record to email", List.of(new FieldError("record", "did not resolve to a record id")));
                }
                // The recipient must be visible to the running user; the email leaves with the run's other actions, or not at all.
                Record r = records.get(actor, module, id);
                ObjectNode config = (ObjectNode) a.get("config");
                actions.find("send_email").orElseThrow(() -> new io.waymark.error.ProcessRuleException("Email is not set up on this server"))
                        .validate(actor, module, config);
                OutboxEntry e = outbox.enqueue(List.of(new Outbox.NewAction(actor.orgId(), "kiosk", new ActionDefinition("send_email", config),
                        module, id, r.subject(), null, 0))).get(0);
                ObjectNode out = Json.object();
                out.put("outbox_entry", e.id().toString());
                return out;
            }
            default -> {
                ObjectNode s = Json.object();
                s.put("type", a.get("signal_type").asText());
                if (a.has("subject")) {
                    s.set("subject", Json.MAPPER.valueToTree(Merge.display(a.get("subject"))));
                }
                if (a.has("module")) {
                    s.set("module", a.get("module"));
                    s.set("record_id", Merge.scalar(a.get("record")));
                }
                if (a.has("payload")) {
                    s.set("payload", a.get("payload"));
                }
                signals.ingest(actor, List.of(s));
                return null;
            }
        }
    }

    /** Field values with lookup objects replaced by their ids. */
    private static ObjectNode scalarValues(JsonNode values) {
        ObjectNode o = Json.object();
        values.fields().forEachRemaining(f -> o.set(f.getKey(), Merge.scalar(f.getValue())));
        return o;
    }

    private static WaymarkException relabel(WaymarkException e, String where) {
        List<FieldError> errors = new ArrayList<>();
        for (FieldError f : e.errors()) {
            errors.add(new FieldError(where + "." + f.field(), f.message()));
        }
        if (errors.isEmpty()) {
            errors.add(new FieldError(where, e.getMessage()));
        }
        String detail = "Action " + where + " failed, so none of this run's actions were carried out: " + e.getMessage();
        return switch (e.status()) {
            case 404 -> new NotFoundException(detail);
            case 409 -> new ConflictException(detail, errors);
            case 400 -> new ValidationException(detail, errors);
            default -> new io.waymark.error.ProcessRuleException(detail);
        };
    }

    private ObjectNode render(Actor actor, String module, Record r) {
        Module m = records.module(actor, module);
        return records.render(actor, m, List.of(r)).get(0);
    }

    private ArrayNode renderAll(Actor actor, String module, List<Record> rs) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        if (!rs.isEmpty()) {
            records.render(actor, records.module(actor, module), rs).forEach(a::add);
        }
        return a;
    }

    /** The client's view of a run: the screen to show (with data) or the end. */
    private ObjectNode runView(Actor actor, KioskDefinition def, FlowStore.Run run) {
        RunState state = RunState.of(run.state());
        ObjectNode o = Json.object();
        o.put("id", run.id().toString());
        o.put("kiosk_id", run.definitionId().toString());
        o.put("kiosk_version", run.version());
        o.put("status", run.status());
        o.put("record_id", run.recordId() == null ? null : run.recordId().toString());
        o.put("started_at", run.createdAt().toString());
        o.put("expires_at", run.status().equals(ACTIVE) ? run.expiresAt().toString() : null);
        o.set("path", state.path);
        ObjectNode el = Json.object();
        ObjectNode e = def.elements.get(state.at);
        el.put("id", state.at);
        el.put("type", e.get("type").asText());
        if (e.has("title")) {
            el.put("title", Merge.text(e.get("title").asText(), state.vars));
        }
        if (e.get("type").asText().equals("end")) {
            el.setAll((ObjectNode) state.screen);
        } else {
            ArrayNode comps = Json.MAPPER.createArrayNode();
            for (JsonNode c : e.get("components")) {
                comps.add(component(def, c, state));
            }
            el.set("components", comps);
        }
        o.set("element", el);
        return o;
    }

    private ObjectNode component(KioskDefinition def, JsonNode c, RunState state) {
        ObjectNode out = Json.object();
        String type = c.get("type").asText();
        out.put("type", type);
        switch (type) {
            case "text" -> out.put("text", Merge.text(c.get("text").asText(), state.vars));
            case "button" -> {
                out.put("name", c.get("name").asText());
                out.put("label", c.path("label").asText(c.get("name").asText()));
            }
            case "record_list", "related_list" -> {
                String name = c.get("name").asText();
                out.put("name", name);
                out.put("label", c.path("label").asText(name));
                out.put("module", c.get("module").asText());
                out.put("selectable", c.path("selectable").asBoolean(true));
                out.put("required", c.path("required").asBoolean(false));
                if (c.has("fields")) {
                    out.set("fields", c.get("fields"));
                }
                out.set("records", state.screen.path("lists").path(name));
                JsonNode sel = state.vars.get(name);
                out.put("selected", sel != null && sel.isObject() ? sel.path("id").asText(null) : null);
            }
            case "record" -> {
                String name = c.get("name").asText();
                out.put("name", name);
                out.put("label", c.path("label").asText(name));
                out.put("module", c.get("module").asText());
                if (c.has("fields")) {
                    out.set("fields", c.get("fields"));
                }
                out.set("record", state.vars.getOrDefault(name, Json.MAPPER.nullNode()));
            }
            default -> {
                String name = c.get("name").asText();
                Field f = def.inputs.get(name);
                out.put("name", name);
                out.put("label", f.label());
                out.put("field_type", f.type().apiName());
                out.put("required", f.required());
                if (!f.picklistValues().isEmpty()) {
                    ArrayNode opts = Json.MAPPER.createArrayNode();
                    f.picklistValues().forEach(opts::add);
                    out.set("options", opts);
                }
                JsonNode value = state.vars.get(name);
                if (value == null && c.has("default")) {
                    value = Merge.scalar(Merge.resolve(c.get("default"), state.vars));
                }
                out.set("value", value == null ? Json.MAPPER.nullNode() : value);
            }
        }
        return out;
    }

    /** An action failed inside the commit transaction: unwrap after the rollback. */
    private static final class ActionFailed extends RuntimeException {
        final WaymarkException cause;

        ActionFailed(WaymarkException cause) {
            super(cause.getMessage(), null, false, false);
            this.cause = cause;
        }
    }

    /** The run's own state, stored as JSON with the run. */
    private static final class RunState {
        String at;
        final Map<String, JsonNode> vars;
        final List<JsonNode> staged;
        final ArrayNode path;
        JsonNode screen;

        RunState(String at, Map<String, JsonNode> vars, List<JsonNode> staged, ArrayNode path, JsonNode screen) {
            this.at = at;
            this.vars = vars;
            this.staged = staged;
            this.path = path;
            this.screen = screen;
        }

        static RunState of(ObjectNode json) {
            Map<String, JsonNode> vars = new HashMap<>();
            json.path("vars").fields().forEachRemaining(f -> vars.put(f.getKey(), f.getValue()));
            List<JsonNode> staged = new ArrayList<>();
            json.path("staged").forEach(staged::add);
            return new RunState(json.get("at").asText(), vars, staged, (ArrayNode) json.get("path").deepCopy(), json.path("screen").deepCopy());
        }

        ObjectNode json() {
            ObjectNode o = Json.object();
            o.put("at", at);
            ObjectNode v = Json.object();
            vars.forEach(v::set);
            o.set("vars", v);
            ArrayNode s = Json.MAPPER.createArrayNode();
            staged.forEach(s::add);
            o.set("staged", s);
            o.set("path", path);
            o.set("screen", screen);
            return o;
        }
    }
}
