package io.waymark.wizard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.error.ConflictException;
import io.waymark.error.FieldError;
import io.waymark.error.GoneException;
import io.waymark.error.NotFoundException;
import io.waymark.error.ProcessRuleException;
import io.waymark.error.ValidationException;
import io.waymark.error.WaymarkException;
import io.waymark.flow.FlowDefinitions;
import io.waymark.flow.FlowStore;
import io.waymark.identity.Access;
import io.waymark.identity.Capability;
import io.waymark.identity.ModuleAction;
import io.waymark.identity.UserDirectory;
import io.waymark.json.Json;
import io.waymark.record.Field;
import io.waymark.record.FieldValues;
import io.waymark.record.Metadata;
import io.waymark.record.Record;
import io.waymark.record.Records;
import io.waymark.tx.Transactor;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Wizards: long create and edit forms split into screens (see {@link WizardDefinition}). A run
 * is one user's pass through a wizard: each submission validates the fields of the screen it
 * leaves, conditional rules show, hide, set and lock fields as the values change, a draft keeps
 * the values for its author to resume later, and the final save creates or updates the record
 * through {@link Records} — so every automation reacts once, to the save, never to a draft.
 */
public final class Wizards {
    /** The kind under which wizards live in the {@link FlowStore}. */
    public static final String KIND = "wizard";
    static final String IN_PROGRESS = "in_progress";
    static final String DRAFT = "draft";
    static final String SAVED = "saved";
    static final String DISCARDED = "discarded";

    private final Metadata metadata;
    private final Records records;
    private final FlowStore store;
    private final Access access;
    private final UserDirectory users;
    private final Transactor tx;
    private final Clock clock;
    private final FlowDefinitions definitions;

    public Wizards(Metadata metadata, Records records, FlowStore store, Access access, UserDirectory users, Transactor tx, Clock clock) {
        this.metadata = metadata;
        this.records = records;
        this.store = store;
        this.access = access;
        this.users = users;
        this.tx = tx;
        this.clock = clock;
        this.definitions = new FlowDefinitions(KIND, "wizard", Capability.MANAGE_WIZARDS, (a, body) -> WizardDefinition.parse(body, metadata.catalog(a.orgId())).name, store, access, tx, clock);
    }

    // ------------------------------------------------------------------ definitions

    /** Saves a new wizard (version 1). */
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

    /** An inactive wizard cannot be started; runs in progress may finish. */
    public ObjectNode setActive(Actor actor, UUID id, boolean active) {
        return definitions.setActive(actor, id, active);
    }

    private FlowStore.Definition latest(Actor actor, UUID id) {
        return definitions.latest(actor, id);
    }

    // ------------------------------------------------------------------ runs

    /**
     * Starts a run: {@code {}} to create a record, {@code {"record_id": "..."}} to edit one the
     * actor can see. Nothing is written to the module until the final save.
     */
    public ObjectNode start(Actor actor, UUID wizardId, JsonNode body) {
        FlowStore.Definition d = latest(actor, wizardId);
        if (!d.active()) {
            throw new ProcessRuleException("Wizard '" + d.name() + "' is inactive");
        }
        WizardDefinition def = WizardDefinition.parse(d.body(), metadata.catalog(actor.orgId()));
        JsonNode rid = body == null ? null : body.get("record_id");
        boolean editing = rid != null && !rid.isNull();
        // Starting needs the permission the final save will need, so nobody fills in a form in vain.
        access.requireModule(actor, def.module.apiName(), editing ? ModuleAction.EDIT : ModuleAction.CREATE);
        ObjectNode state = Json.object();
        state.put("screen", 0);
        state.set("values", Json.object());
        UUID recordId = null;
        if (rid != null && !rid.isNull()) {
            recordId = rid.isTextual() ? Ids.parse(rid.textValue()) : null;
            if (recordId == null) {
                throw new ValidationException("Invalid record id", List.of(new FieldError("record_id", "must be a record id")));
            }
            if (def.mode.equals("create")) {
                throw new ValidationException("This wizard only creates records", List.of(new FieldError("record_id", "is not taken by a create wizard")));
            }
            Record r = records.get(actor, def.module.apiName(), recordId);
            if (!r.layoutId().equals(def.layout.id())) {
                throw new ValidationException("Wrong layout", List.of(new FieldError("record_id",
                        "the record is on another layout than this wizard's (" + def.layout.name() + ")")));
            }
            state.put("base_version", r.version());
            ObjectNode base = Json.object();
            def.screenOf().keySet().forEach(f -> base.set(f, FieldValues.toJson(r.values().get(f))));
            state.set("base", base);
        } else if (def.mode.equals("edit")) {
            throw new ValidationException("This wizard edits records", List.of(new FieldError("record_id", "is required: the record to edit")));
        }
        Instant now = clock.instant();
        FlowStore.Run run = new FlowStore.Run(Ids.next(clock), KIND, d.id(), d.version(), actor.userId(), IN_PROGRESS, recordId, state,
                now, now, now.plus(3650, ChronoUnit.DAYS), 1);
        tx.run(() -> store.insertRun(actor.orgId(), run));
        return runView(actor, def, run);
    }

    public ObjectNode run(Actor actor, UUID runId) {
        FlowStore.Run run = loadRun(actor, runId);
        return runView(actor, definition(actor, run), run);
    }

    /** The actor's drafts of every wizard, newest first. */
    public List<ObjectNode> drafts(Actor actor) {
        List<ObjectNode> out = new ArrayList<>();
        for (FlowStore.Run r : store.runs(actor.orgId(), KIND, actor.userId(), DRAFT, 200)) {
            ObjectNode o = Json.object();
            o.put("id", r.id().toString());
            o.put("wizard_id", r.definitionId().toString());
            o.put("wizard_version", r.version());
            o.put("record_id", r.recordId() == null ? null : r.recordId().toString());
            o.put("saved_at", r.updatedAt().toString());
            o.put("screen", r.state().path("screen").asInt());
            out.add(o);
        }
        return out;
    }

    /** Throws a run or draft away; nothing was written to the module, so nothing is undone. */
    public void discard(Actor actor, UUID runId) {
        FlowStore.Run run = loadRun(actor, runId);
        open(run);
        save(actor, withStatus(run, DISCARDED, run.state(), run.recordId()));
    }

    /**
     * Submits the current screen: {@code {"button": "next"|"previous"|"save_draft"|"save", "values": {...}}}.
     * Values are checked per field type (and, for next and save, required fields); on any error
     * nothing changes and the answer names each field as {@code values.Field}.
     */
    public ObjectNode submit(Actor actor, UUID runId, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new ValidationException("Invalid submission", List.of(new FieldError("body", "must be a JSON object with button and values")));
        }
        FlowStore.Run run = loadRun(actor, runId);
        open(run);
        WizardDefinition def = definition(actor, run);
        ObjectNode state = run.state().deepCopy();
        int index = state.path("screen").asInt();
        WizardDefinition.Screen screen = def.screens.get(index);
        String button = body.path("button").asText(null);
        if (button == null || !screen.buttons().contains(button)) {
            throw new ValidationException("Unknown button", List.of(new FieldError("button", "must be one of " + screen.buttons())));
        }
        JsonNode submitted = body.has("values") ? body.get("values") : Json.object();
        if (!submitted.isObject()) {
            throw new ValidationException("Invalid values", List.of(new FieldError("values", "must be an object of field API names to values")));
        }
        boolean create = run.recordId() == null;
        String profile = access.profileName(actor);
        ObjectNode values = (ObjectNode) state.get("values");
        Effect before = effect(actor, def, state, create, profile);
        List<FieldError> errors = new ArrayList<>();
        Set<String> onScreen = fieldsOf(screen);
        for (Iterator<Map.Entry<String, JsonNode>> it = submitted.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            Field field = def.module.field(name).orElse(null);
            if (field == null || !onScreen.contains(name)) {
                errors.add(new FieldError("values." + name, "is not a field of screen '" + screen.id() + "'; expected one of " + onScreen));
                continue;
            }
            if (before.hidden(name, def)) {
                errors.add(new FieldError("values." + name, "is hidden on this screen"));
                continue;
            }
            FieldValues.Result r = FieldValues.fromJson(field, e.getValue());
            if (!r.ok()) {
                errors.add(new FieldError("values." + name, r.error()));
                continue;
            }
            JsonNode v = FieldValues.toJson(r.value());
            if (before.locked.contains(name) && !same(v, current(state, name))) {
                errors.add(new FieldError("values." + name, "is locked"));
                continue;
            }
            values.set(name, v);
        }
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        Effect after = effect(actor, def, state, create, profile);
        after.sets.forEach(values::set);
        if (button.equals("next") || button.equals("save")) {
            List<WizardDefinition.Screen> check = button.equals("save") ? def.screens : List.of(screen);
            for (WizardDefinition.Screen s : check) {
                for (WizardDefinition.Section sec : s.sections()) {
                    for (WizardDefinition.FieldRef f : sec.fields()) {
                        Field field = def.module.field(f.field()).orElseThrow();
                        boolean required = f.required() || field.required();
                        if (required && !after.hidden(f.field(), def) && empty(current(state, f.field()))) {
                            errors.add(new FieldError("values." + f.field(), "is required"
                                    + (s == screen ? "" : " (on screen '" + s.id() + "')")));
                        }
                    }
                }
            }
            if (!errors.isEmpty()) {
                throw invalid(errors);
            }
        }
        switch (button) {
            case "next" -> state.put("screen", index + 1);
            case "previous" -> state.put("screen", index - 1);
            default -> {
            }
        }
        if (button.equals("save")) {
            return finish(actor, def, run, state, after);
        }
        FlowStore.Run next = withStatus(run, button.equals("save_draft") ? DRAFT : IN_PROGRESS, state, run.recordId());
        save(actor, next);
        return runView(actor, def, next);
    }

    private ObjectNode finish(Actor actor, WizardDefinition def, FlowStore.Run run, ObjectNode state, Effect effect) {
        ObjectNode input = Json.object();
        Map<String, Integer> screenOf = def.screenOf();
        for (String f : screenOf.keySet()) {
            if (effect.hidden(f, def)) {
                continue;
            }
            JsonNode v = current(state, f);
            if (run.recordId() == null) {
                if (!empty(v)) {
                    input.set(f, v);
                }
            } else if (!same(v, state.path("base").get(f))) {
                input.set(f, v == null ? Json.MAPPER.nullNode() : v);
            }
        }
        try {
            return tx.inTransaction(() -> {
                Record r;
                if (run.recordId() == null) {
                    input.put("layout", def.layout.name());
                    r = records.create(actor, def.module.apiName(), input, io.waymark.record.CreationSource.WIZARD);
                } else if (input.isEmpty()) {
                    r = records.get(actor, def.module.apiName(), run.recordId());
                } else {
                    r = records.update(actor, def.module.apiName(), run.recordId(), input, state.path("base_version").asLong());
                }
                FlowStore.Run saved = withStatus(run, SAVED, state, r.id());
                save(actor, saved);
                ObjectNode view = runView(actor, def, saved);
                view.set("record", records.render(actor, def.module, List.of(r)).get(0));
                return view;
            });
        } catch (WaymarkException e) {
            List<FieldError> errors = new ArrayList<>();
            for (FieldError fe : e.errors()) {
                errors.add(new FieldError(fe.field().equals("version") ? "version" : "values." + fe.field(), fe.message()));
            }
            if (e.status() == 409) {
                throw new ConflictException(e.getMessage(), errors);
            }
            if (e.status() == 400) {
                throw new ValidationException(e.getMessage(), errors);
            }
            throw e;
        }
    }

    // ------------------------------------------------------------------ rules

    /** What the rules do to the form for the current values. */
    private static final class Effect {
        final Set<String> hiddenFields = new HashSet<>();
        final Set<String> hiddenSections = new HashSet<>();
        final Set<String> locked = new HashSet<>();
        final Map<String, JsonNode> sets = new LinkedHashMap<>();

        boolean hidden(String field, WizardDefinition def) {
            if (hiddenFields.contains(field)) {
                return true;
            }
            for (WizardDefinition.Screen s : def.screens) {
                for (WizardDefinition.Section sec : s.sections()) {
                    for (WizardDefinition.FieldRef f : sec.fields()) {
                        if (f.field().equals(field)) {
                            return hiddenSections.contains(sec.name());
                        }
                    }
                }
            }
            return false;
        }
    }

    private Effect effect(Actor actor, WizardDefinition def, ObjectNode state, boolean create, String profile) {
        Effect eff = new Effect();
        for (WizardDefinition.Screen s : def.screens) {
            for (WizardDefinition.Section sec : s.sections()) {
                if (sec.hidden()) {
                    eff.hiddenSections.add(sec.name());
                }
                for (WizardDefinition.FieldRef f : sec.fields()) {
                    if (f.hidden()) {
                        eff.hiddenFields.add(f.field());
                    }
                }
            }
        }
        Map<String, Object> stored = new HashMap<>();
        for (String f : def.screenOf().keySet()) {
            Field field = def.module.field(f).orElseThrow();
            JsonNode v = current(state, f);
            FieldValues.Result r = FieldValues.fromJson(field, v);
            if (r.ok() && r.value() != null) {
                stored.put(f, r.value());
            }
        }
        Instant now = clock.instant();
        ZoneId zone = users.timeZone(actor.orgId());
        for (WizardDefinition.Rule rule : def.rules) {
            if (!rule.appliesTo(create)) {
                continue;
            }
            Record probe = new Record(new UUID(0, 0), def.module.apiName(), def.layout.id(), "", 0, now, actor.userId(), now, actor.userId(), stored);
            if (rule.criteria() != null && !rule.criteria().matches(probe, null, now, zone)) {
                continue;
            }
            for (JsonNode a : rule.actions()) {
                switch (a.get("type").asText()) {
                    case "show" -> {
                        a.path("fields").forEach(f -> eff.hiddenFields.remove(f.asText()));
                        a.path("sections").forEach(s -> eff.hiddenSections.remove(s.asText()));
                    }
                    case "hide" -> {
                        a.path("fields").forEach(f -> eff.hiddenFields.add(f.asText()));
                        a.path("sections").forEach(s -> eff.hiddenSections.add(s.asText()));
                    }
                    case "set" -> {
                        String f = a.get("field").asText();
                        Field field = def.module.field(f).orElseThrow();
                        FieldValues.Result r = FieldValues.fromJson(field, a.get("value"));
                        eff.sets.put(f, FieldValues.toJson(r.value()));
                        if (r.value() == null) {
                            stored.remove(f);
                        } else {
                            stored.put(f, r.value());
                        }
                    }
                    default -> {
                        boolean exempt = false;
                        for (JsonNode p : a.path("exempt_profiles")) {
                            exempt |= p.asText().equalsIgnoreCase(profile);
                        }
                        if (!exempt) {
                            a.path("fields").forEach(f -> eff.locked.add(f.asText()));
                        }
                    }
                }
            }
        }
        return eff;
    }

    // ------------------------------------------------------------------ helpers

    private FlowStore.Run loadRun(Actor actor, UUID runId) {
        FlowStore.Run run = store.run(actor.orgId(), KIND, runId).orElse(null);
        // A draft belongs to its author: to anyone else it does not exist.
        if (run == null || !run.userId().equals(actor.userId())) {
            throw new NotFoundException("No wizard run has id " + runId);
        }
        return run;
    }

    private static void open(FlowStore.Run run) {
        if (run.status().equals(SAVED)) {
            throw new GoneException("This wizard run was saved as record " + run.recordId() + "; start a new one");
        }
        if (run.status().equals(DISCARDED)) {
            throw new GoneException("This wizard run was discarded");
        }
    }

    private WizardDefinition definition(Actor actor, FlowStore.Run run) {
        FlowStore.Definition d = store.version(actor.orgId(), KIND, run.definitionId(), run.version())
                .orElseThrow(() -> new NotFoundException("The wizard of run " + run.id() + " is gone"));
        return WizardDefinition.parse(d.body(), metadata.catalog(actor.orgId()));
    }

    private FlowStore.Run withStatus(FlowStore.Run run, String status, ObjectNode state, UUID recordId) {
        return new FlowStore.Run(run.id(), KIND, run.definitionId(), run.version(), run.userId(), status, recordId, state,
                run.createdAt(), clock.instant(), run.expiresAt(), run.revision() + 1);
    }

    private void save(Actor actor, FlowStore.Run run) {
        if (!tx.inTransaction(() -> store.updateRun(actor.orgId(), run))) {
            throw new ConflictException("The wizard run was changed by another request; read it again",
                    List.of(new FieldError("run", "was changed meanwhile")));
        }
    }

    /** The value a field has now: entered in this run, else the edited record's. */
    private static JsonNode current(ObjectNode state, String field) {
        JsonNode v = state.path("values").get(field);
        return v != null ? v : state.path("base").get(field);
    }

    private static boolean empty(JsonNode v) {
        return v == null || v.isNull() || (v.isTextual() && v.textValue().isEmpty()) || (v.isArray() && v.isEmpty());
    }

    private static boolean same(JsonNode a, JsonNode b) {
        return empty(a) ? empty(b) : a.equals(b);
    }

    private static Set<String> fieldsOf(WizardDefinition.Screen s) {
        Set<String> out = new java.util.LinkedHashSet<>();
        s.sections().forEach(sec -> sec.fields().forEach(f -> out.add(f.field())));
        return out;
    }

    private static ValidationException invalid(List<FieldError> errors) {
        return new ValidationException(errors.size() == 1 ? errors.get(0).field() + " " + errors.get(0).message()
                : errors.size() + " fields are invalid", errors);
    }

    private ObjectNode runView(Actor actor, WizardDefinition def, FlowStore.Run run) {
        ObjectNode state = run.state();
        boolean create = run.recordId() == null || run.status().equals(SAVED) && !state.has("base");
        Effect eff = effect(actor, def, state, create, access.profileName(actor));
        int index = state.path("screen").asInt();
        WizardDefinition.Screen screen = def.screens.get(index);
        ObjectNode o = Json.object();
        o.put("id", run.id().toString());
        o.put("wizard_id", run.definitionId().toString());
        o.put("wizard_version", run.version());
        o.put("status", run.status());
        o.put("mode", state.has("base") ? "edit" : "create");
        o.put("module", def.module.apiName());
        o.put("layout", def.layout.name());
        o.put("record_id", run.recordId() == null ? null : run.recordId().toString());
        ArrayNode screens = Json.MAPPER.createArrayNode();
        for (WizardDefinition.Screen s : def.screens) {
            ObjectNode so = Json.object();
            so.put("id", s.id());
            so.put("title", s.title());
            screens.add(so);
        }
        o.set("screens", screens);
        ObjectNode sc = Json.object();
        sc.put("index", index);
        sc.put("id", screen.id());
        sc.put("title", screen.title());
        ArrayNode sections = Json.MAPPER.createArrayNode();
        for (WizardDefinition.Section sec : screen.sections()) {
            if (eff.hiddenSections.contains(sec.name())) {
                continue;
            }
            ObjectNode so = Json.object();
            so.put("name", sec.name());
            ArrayNode fields = Json.MAPPER.createArrayNode();
            for (WizardDefinition.FieldRef f : sec.fields()) {
                if (eff.hiddenFields.contains(f.field())) {
                    continue;
                }
                Field field = def.module.field(f.field()).orElseThrow();
                ObjectNode fo = Json.object();
                fo.put("name", field.apiName());
                fo.put("label", field.label());
                fo.put("type", field.type().apiName());
                fo.put("required", f.required() || field.required());
                fo.put("locked", eff.locked.contains(field.apiName()));
                if (!field.picklistValues().isEmpty()) {
                    ArrayNode opts = Json.MAPPER.createArrayNode();
                    field.picklistValues().forEach(opts::add);
                    fo.set("options", opts);
                }
                if (field.lookupModule() != null) {
                    fo.put("lookup_module", field.lookupModule());
                }
                JsonNode v = current(state, field.apiName());
                fo.set("value", v == null ? Json.MAPPER.nullNode() : v);
                fields.add(fo);
            }
            so.set("fields", fields);
            sections.add(so);
        }
        sc.set("sections", sections);
        ArrayNode buttons = Json.MAPPER.createArrayNode();
        screen.buttons().forEach(buttons::add);
        sc.set("buttons", buttons);
        o.set("screen", sc);
        return o;
    }
}
