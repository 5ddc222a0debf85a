package io.waymark.blueprint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.action.ActionCatalog;
import io.waymark.action.ActionDefinition;
import io.waymark.criteria.CompiledCriteria;
import io.waymark.criteria.Criteria;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import io.waymark.record.Field;
import io.waymark.record.FieldType;
import io.waymark.record.Layout;
import io.waymark.record.Module;
import io.waymark.record.ModuleCatalog;
import io.waymark.workflow.RuleDefinition;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One version of a blueprint's flow: a state machine over a picklist field of a module.
 *
 * <pre>{@code
 * {"name": "Trip Management", "module": "Trips", "field": "Status", "layout": null,
 *  "criteria": "(Type:equals:Holiday)",
 *  "transitions": [
 *    {"name": "Collect documents", "from": ["Booked"], "to": "Documents",
 *     "before": {"owners": [{"type": "role", "id": "..."}, {"type": "record_owner"}], "criteria": "(Amount:greater_than:0)"},
 *     "during": {"fields": [{"field": "Passport_No", "mandatory": true}], "note": "mandatory", "attachments": "optional",
 *                "checklist": ["Passport copy"], "validations": [{"criteria": "(Travellers:greater_than:0)", "message": "..."}]},
 *     "after": [{"type": "create_task", "config": {...}}]},
 *    {"name": "Book hotel", "from": "Documents", "to": "Logistics done", "parallel": "logistics"},
 *    {"name": "Book flights", "from": "Documents", "to": "Logistics done", "parallel": "logistics"},
 *    {"name": "Close unpaid", "from": "Booked", "to": "Cancelled", "automatic": {"after": "P7D"}}],
 *  "sla": [{"state": "Documents", "escalations": [{"after": "PT24H", "actions": [...]}]}]}
 * }</pre>
 *
 * <p>States are the picklist's values. A transition with several {@code from} states is a common
 * transition; transitions sharing a {@code parallel} group (same from and to) must all be done,
 * each by its own owners, before the record moves; an {@code automatic} transition runs by itself
 * after the record has spent the given time in its state. A state with no outgoing transition
 * ends the blueprint for the record.
 */
public record BlueprintDefinition(String name, String module, String field, UUID layoutId, Criteria criteria,
                                  CompiledCriteria compiled, List<Transition> transitions, Map<String, List<Escalation>> sla,
                                  ObjectNode json) {

    /** Who may run a transition: a user, the members of a role or group, or the record's owner. */
    public record Owner(String type, UUID id) {
        static final Set<String> TYPES = Set.of("user", "role", "group", "record_owner");
    }

    /**
     * A field the user fills in while running a transition: a field of the record, or (named
     * {@code Lookup.Field}, e.g. {@code Contact_Name.Phone}) a field of the record that one of its
     * lookup fields points to, written to that record in the transition's transaction.
     *
     * @param lookup        for a related field, the record's lookup field; else null
     * @param relatedModule for a related field, the module the lookup points to; else null
     * @param relatedField  for a related field, the field of that module; else null
     */
    public record DuringField(String field, boolean mandatory, String lookup, String relatedModule, String relatedField) {
        /** Whether the field belongs to a related record. */
        public boolean related() {
            return lookup != null;
        }
    }

    /** A check on the submitted values, with the message shown when it fails. */
    public record Validation(CompiledCriteria criteria, String message) {
    }

    /** What the user must supply while running a transition. */
    public record During(List<DuringField> fields, String note, String attachments, List<String> checklist,
                         List<Validation> validations) {
        static final During NONE = new During(List.of(), null, null, List.of(), List.of());
    }

    /** One transition: Before (owners, criteria), During, After (actions). */
    public record Transition(int index, String name, List<String> from, String to, List<Owner> owners, CompiledCriteria criteria,
                             During during, List<ActionDefinition> after, String parallel, Duration automaticAfter) {
        public boolean automatic() {
            return automaticAfter != null;
        }
    }

    /** One SLA escalation level of a state: after this long in the state, run the actions. */
    public record Escalation(int level, Duration after, List<ActionDefinition> actions) {
    }

    private static final Set<String> TOP = Set.of("name", "module", "field", "layout", "criteria", "transitions", "sla");
    private static final Set<String> TRANSITION = Set.of("name", "from", "to", "before", "during", "after", "parallel", "automatic");
    private static final Set<String> REQUIREMENT = Set.of("mandatory", "optional");
    static final int MAX_TRANSITIONS = 100;

    /** The picklist values that this flow uses as states (sources and targets of transitions). */
    public Set<String> states() {
        Set<String> out = new LinkedHashSet<>();
        for (Transition t : transitions) {
            out.addAll(t.from);
            out.add(t.to);
        }
        return out;
    }

    /** The transitions leaving a state, in definition order. */
    public List<Transition> outgoing(String state) {
        return transitions.stream().filter(t -> t.from.contains(state)).toList();
    }

    /** Whether a record in this state has left the flow (no transition leaves it). */
    public boolean isExit(String state) {
        return outgoing(state).isEmpty();
    }

    public Transition transition(String name) {
        return transitions.stream().filter(t -> t.name.equals(name)).findFirst().orElse(null);
    }

    /** The transitions of a parallel group. */
    public List<Transition> group(String parallel) {
        return transitions.stream().filter(t -> parallel.equals(t.parallel)).toList();
    }

    /** Parses and validates a definition; every problem is reported, each naming its JSON path. */
    public static BlueprintDefinition parse(Actor actor, ModuleCatalog catalog, ActionCatalog actions, JsonNode body) {
        return new Parser(actor, catalog, actions).parse(body, true);
    }

    /** Reads a stored definition (validated when saved) without re-checking the actions' configs against their types. */
    public static BlueprintDefinition load(ModuleCatalog catalog, ActionCatalog actions, JsonNode stored) {
        return new Parser(null, catalog, actions).parse(stored, false);
    }

    private static final class Parser {
        final Actor actor;
        final ModuleCatalog catalog;
        final ActionCatalog actions;
        final List<FieldError> errors = new ArrayList<>();

        Parser(Actor actor, ModuleCatalog catalog, ActionCatalog actions) {
            this.actor = actor;
            this.catalog = catalog;
            this.actions = actions;
        }

        BlueprintDefinition parse(JsonNode body, boolean check) {
            if (body == null || !body.isObject()) {
                throw new ValidationException("A JSON object is required", List.of(new FieldError("body", "must be a JSON object")));
            }
            unknown(body, TOP, "");
            String name = text(body, "name");
            if (name == null || name.isBlank() || name.length() > 100) {
                errors.add(new FieldError("name", "is required: 1 to 100 characters"));
            }
            String moduleName = text(body, "module");
            Module module = moduleName == null ? null : catalog.find(moduleName).orElse(null);
            if (module == null) {
                errors.add(new FieldError("module", moduleName == null ? "is required" : "unknown module " + moduleName));
                throw invalid();
            }
            String fieldName = text(body, "field");
            Field field = fieldName == null ? null : module.field(fieldName).orElse(null);
            if (field == null || field.type() != FieldType.PICKLIST) {
                errors.add(new FieldError("field", fieldName == null ? "is required: the picklist field whose values are the states"
                        : "must be a picklist field of " + module.apiName()));
                throw invalid();
            }
            Set<String> values = new LinkedHashSet<>(field.picklistValues());
            UUID layoutId = null;
            JsonNode layoutNode = body.get("layout");
            if (layoutNode != null && !layoutNode.isNull()) {
                Layout l = layoutNode.isTextual() ? module.layout(layoutNode.textValue()).orElse(null) : null;
                if (l == null) {
                    errors.add(new FieldError("layout", "unknown layout; expected one of " + module.layouts().stream().map(Layout::name).toList()));
                } else {
                    layoutId = l.id();
                }
            }
            Criteria criteria = null;
            CompiledCriteria compiled = null;
            if (body.hasNonNull("criteria")) {
                compiled = criteria(body.get("criteria"), module, "criteria");
                criteria = compiled == null ? null : criteriaOf(body.get("criteria"));
            }
            List<Transition> transitions = new ArrayList<>();
            JsonNode ts = body.get("transitions");
            if (ts == null || !ts.isArray() || ts.isEmpty()) {
                errors.add(new FieldError("transitions", "is required: at least one transition"));
            } else if (ts.size() > MAX_TRANSITIONS) {
                errors.add(new FieldError("transitions", "at most " + MAX_TRANSITIONS + " transitions"));
            } else {
                Set<String> names = new HashSet<>();
                for (int i = 0; i < ts.size(); i++) {
                    Transition t = transition(ts.get(i), i, module, field, values, check);
                    if (t != null) {
                        if (!names.add(t.name)) {
                            errors.add(new FieldError("transitions[" + i + "].name", "is already the name of another transition"));
                        }
                        transitions.add(t);
                    }
                }
                checkParallel(transitions);
                checkAutomatic(transitions);
            }
            Map<String, List<Escalation>> sla = sla(body.get("sla"), module, transitions, check);
            if (!errors.isEmpty()) {
                throw invalid();
            }
            ObjectNode json = ((ObjectNode) body).deepCopy();
            json.retain(TOP);
            json.put("module", module.apiName());
            json.put("field", field.apiName());
            return new BlueprintDefinition(name, module.apiName(), field.apiName(), layoutId, criteria, compiled, List.copyOf(transitions), sla, json);
        }

        private ValidationException invalid() {
            return new ValidationException(errors.size() == 1 ? errors.get(0).field() + " " + errors.get(0).message()
                    : errors.size() + " properties are invalid", List.copyOf(errors));
        }

        private Transition transition(JsonNode t, int i, Module module, Field stateField, Set<String> values, boolean check) {
            String path = "transitions[" + i + "]";
            if (t == null || !t.isObject()) {
                errors.add(new FieldError(path, "must be an object"));
                return null;
            }
            unknown(t, TRANSITION, path + ".");
            String name = text(t, "name");
            if (name == null || name.isBlank() || name.length() > 100) {
                errors.add(new FieldError(path + ".name", "is required: 1 to 100 characters"));
            }
            List<String> from = new ArrayList<>();
            JsonNode f = t.get("from");
            if (f != null && f.isTextual()) {
                from.add(f.textValue());
            } else if (f != null && f.isArray() && !f.isEmpty()) {
                f.forEach(n -> from.add(n.asText()));
            } else {
                errors.add(new FieldError(path + ".from", "is required: a state or a list of states"));
            }
            for (String s : from) {
                if (!values.contains(s)) {
                    errors.add(new FieldError(path + ".from", "'" + s + "' is not a value of " + stateField.apiName() + "; states are " + values));
                }
            }
            String to = text(t, "to");
            if (to == null || !values.contains(to)) {
                errors.add(new FieldError(path + ".to", to == null ? "is required" : "'" + to + "' is not a value of " + stateField.apiName() + "; states are " + values));
            } else if (from.contains(to)) {
                errors.add(new FieldError(path + ".to", "must differ from the state it leaves"));
            }
            List<Owner> owners = new ArrayList<>();
            CompiledCriteria criteria = null;
            JsonNode before = t.get("before");
            if (before != null && !before.isNull()) {
                if (!before.isObject()) {
                    errors.add(new FieldError(path + ".before", "must be an object with owners and criteria"));
                } else {
                    unknown(before, Set.of("owners", "criteria"), path + ".before.");
                    owners = owners(before.get("owners"), path + ".before.owners");
                    if (before.hasNonNull("criteria")) {
                        criteria = criteria(before.get("criteria"), module, path + ".before.criteria");
                    }
                }
            }
            During during = during(t.get("during"), module, stateField, path + ".during");
            List<ActionDefinition> after = List.of();
            if (t.hasNonNull("after")) {
                after = check ? actions.parse(actor, module.apiName(), t.get("after"), path + ".after", errors)
                        : io.waymark.action.ActionCatalog.fromJson(t.get("after"));
            }
            String parallel = null;
            if (t.hasNonNull("parallel")) {
                parallel = text(t, "parallel");
                if (parallel == null || parallel.isBlank() || parallel.length() > 100) {
                    errors.add(new FieldError(path + ".parallel", "must be the name of the parallel group, 1 to 100 characters"));
                }
            }
            Duration automatic = null;
            if (t.hasNonNull("automatic")) {
                JsonNode a = t.get("automatic");
                automatic = a.isObject() ? duration(a.get("after"), path + ".automatic.after") : null;
                if (!a.isObject()) {
                    errors.add(new FieldError(path + ".automatic", "must be {\"after\": \"P2D\"}"));
                }
                if (!owners.isEmpty() || criteria != null || !during.fields().isEmpty() || during.note() != null
                        || during.attachments() != null || !during.checklist().isEmpty()) {
                    errors.add(new FieldError(path + ".automatic", "an automatic transition has no owners, criteria or During input: nobody runs it"));
                }
                if (parallel != null) {
                    errors.add(new FieldError(path + ".automatic", "a parallel transition cannot be automatic"));
                }
            }
            return new Transition(i, name, List.copyOf(from), to, List.copyOf(owners), criteria, during, after, parallel, automatic);
        }

        private List<Owner> owners(JsonNode list, String path) {
            List<Owner> out = new ArrayList<>();
            if (list == null || list.isNull()) {
                return out;
            }
            if (!list.isArray()) {
                errors.add(new FieldError(path, "must be a list of owners"));
                return out;
            }
            for (int i = 0; i < list.size(); i++) {
                JsonNode o = list.get(i);
                String type = text(o, "type");
                if (type == null || !Owner.TYPES.contains(type)) {
                    errors.add(new FieldError(path + "[" + i + "].type", "must be one of " + new java.util.TreeSet<>(Owner.TYPES)));
                    continue;
                }
                UUID id = null;
                if (!type.equals("record_owner")) {
                    id = o.path("id").isTextual() ? Ids.parse(o.get("id").textValue()) : null;
                    if (id == null) {
                        errors.add(new FieldError(path + "[" + i + "].id", "is required: the id of the " + type));
                        continue;
                    }
                }
                out.add(new Owner(type, id));
            }
            return out;
        }

        private During during(JsonNode d, Module module, Field stateField, String path) {
            if (d == null || d.isNull()) {
                return During.NONE;
            }
            if (!d.isObject()) {
                errors.add(new FieldError(path, "must be an object"));
                return During.NONE;
            }
            unknown(d, Set.of("fields", "note", "attachments", "checklist", "validations"), path + ".");
            List<DuringField> fields = new ArrayList<>();
            JsonNode fs = d.get("fields");
            if (fs != null && !fs.isNull()) {
                if (!fs.isArray()) {
                    errors.add(new FieldError(path + ".fields", "must be a list of {field, mandatory}"));
                } else {
                    Set<String> seen = new HashSet<>();
                    for (int i = 0; i < fs.size(); i++) {
                        JsonNode n = fs.get(i);
                        String name = n.isTextual() ? n.textValue() : text(n, "field");
                        String where = path + ".fields[" + i + "]";
                        if (name != null && name.contains(".")) {
                            DuringField rf = relatedField(module, name, n.isObject() && n.path("mandatory").asBoolean(false), where);
                            if (rf != null && !seen.add(rf.field())) {
                                errors.add(new FieldError(where + ".field", "is listed twice"));
                            } else if (rf != null) {
                                fields.add(rf);
                            }
                            continue;
                        }
                        Field f = name == null ? null : module.field(name).orElse(null);
                        if (f == null || f.deleted()) {
                            errors.add(new FieldError(where + ".field", name == null ? "is required" : "unknown field in module " + module.apiName()));
                        } else if (f.readOnly() || f.apiName().equals(stateField.apiName())) {
                            errors.add(new FieldError(where + ".field", f.readOnly() ? "is read-only" : "is the state field; the transition sets it"));
                        } else if (!seen.add(f.apiName())) {
                            errors.add(new FieldError(where + ".field", "is listed twice"));
                        } else {
                            fields.add(new DuringField(f.apiName(), n.isObject() && n.path("mandatory").asBoolean(false), null, null, null));
                        }
                    }
                }
            }
            String note = requirement(d, "note", path);
            String attachments = requirement(d, "attachments", path);
            List<String> checklist = new ArrayList<>();
            JsonNode cl = d.get("checklist");
            if (cl != null && !cl.isNull()) {
                if (!cl.isArray()) {
                    errors.add(new FieldError(path + ".checklist", "must be a list of item names"));
                } else {
                    for (int i = 0; i < cl.size(); i++) {
                        String item = cl.get(i).isTextual() ? cl.get(i).textValue() : null;
                        if (item == null || item.isBlank() || item.length() > 200 || checklist.contains(item)) {
                            errors.add(new FieldError(path + ".checklist[" + i + "]", "must be a distinct item name of 1 to 200 characters"));
                        } else {
                            checklist.add(item);
                        }
                    }
                }
            }
            List<Validation> validations = new ArrayList<>();
            JsonNode vs = d.get("validations");
            if (vs != null && !vs.isNull()) {
                if (!vs.isArray()) {
                    errors.add(new FieldError(path + ".validations", "must be a list of {criteria, message}"));
                } else {
                    for (int i = 0; i < vs.size(); i++) {
                        String where = path + ".validations[" + i + "]";
                        JsonNode v = vs.get(i);
                        CompiledCriteria c = v.hasNonNull("criteria") ? criteria(v.get("criteria"), module, where + ".criteria") : null;
                        if (!v.hasNonNull("criteria")) {
                            errors.add(new FieldError(where + ".criteria", "is required: what the values must satisfy"));
                        }
                        String message = text(v, "message");
                        if (message == null || message.isBlank()) {
                            errors.add(new FieldError(where + ".message", "is required: what the user is told when the check fails"));
                        }
                        if (c != null && message != null) {
                            validations.add(new Validation(c, message));
                        }
                    }
                }
            }
            return new During(List.copyOf(fields), note, attachments, List.copyOf(checklist), List.copyOf(validations));
        }

        /** {@code Lookup.Field}: the lookup must be a lookup field of the module, the field a writable field of the module it points to. */
        private DuringField relatedField(Module module, String name, boolean mandatory, String where) {
            int dot = name.indexOf('.');
            String lookupName = name.substring(0, dot);
            String targetName = name.substring(dot + 1);
            Field lookup = module.field(lookupName).orElse(null);
            if (lookup == null || lookup.deleted() || lookup.type() != io.waymark.record.FieldType.LOOKUP) {
                errors.add(new FieldError(where + ".field", "'" + lookupName + "' is not a lookup field of module " + module.apiName()
                        + "; a related field is named Lookup_Field.Field"));
                return null;
            }
            Module target = catalog.find(lookup.lookupModule()).orElse(null);
            Field f = target == null || targetName.contains(".") ? null : target.field(targetName).orElse(null);
            if (f == null || f.deleted()) {
                errors.add(new FieldError(where + ".field", "unknown field '" + targetName + "' in module " + lookup.lookupModule()
                        + " (the module lookup " + lookup.apiName() + " points to)"));
                return null;
            }
            if (f.readOnly() || f.type() == io.waymark.record.FieldType.LOOKUP && f.lookupModule().equals(module.apiName())) {
                errors.add(new FieldError(where + ".field", f.readOnly() ? "is read-only" : "is a lookup back to " + module.apiName()));
                return null;
            }
            return new DuringField(lookup.apiName() + "." + f.apiName(), mandatory, lookup.apiName(), target.apiName(), f.apiName());
        }

        private String requirement(JsonNode d, String key, String path) {
            JsonNode n = d.get(key);
            if (n == null || n.isNull()) {
                return null;
            }
            if (!n.isTextual() || !REQUIREMENT.contains(n.textValue())) {
                errors.add(new FieldError(path + "." + key, "must be \"mandatory\" or \"optional\""));
                return null;
            }
            return n.textValue();
        }

        private void checkParallel(List<Transition> transitions) {
            Map<String, List<Transition>> groups = new LinkedHashMap<>();
            transitions.stream().filter(t -> t.parallel != null).forEach(t -> groups.computeIfAbsent(t.parallel, k -> new ArrayList<>()).add(t));
            groups.forEach((g, ts) -> {
                Transition first = ts.get(0);
                if (ts.size() < 2) {
                    errors.add(new FieldError("transitions[" + first.index + "].parallel", "a parallel group needs at least two transitions"));
                }
                for (Transition t : ts) {
                    if (t.from.size() != 1 || !t.from.equals(first.from) || !t.to.equals(first.to)) {
                        errors.add(new FieldError("transitions[" + t.index + "].parallel",
                                "the transitions of a parallel group leave one and the same state for the same state"));
                    }
                }
            });
        }

        private void checkAutomatic(List<Transition> transitions) {
            Set<String> states = new HashSet<>();
            for (Transition t : transitions) {
                if (t.automatic()) {
                    for (String s : t.from) {
                        if (!states.add(s)) {
                            errors.add(new FieldError("transitions[" + t.index + "].automatic", "state '" + s + "' already has an automatic transition"));
                        }
                    }
                }
            }
        }

        private Map<String, List<Escalation>> sla(JsonNode sla, Module module, List<Transition> transitions, boolean check) {
            Map<String, List<Escalation>> out = new LinkedHashMap<>();
            if (sla == null || sla.isNull()) {
                return out;
            }
            if (!sla.isArray()) {
                errors.add(new FieldError("sla", "must be a list of {state, escalations}"));
                return out;
            }
            Set<String> leaving = new HashSet<>();
            transitions.forEach(t -> leaving.addAll(t.from));
            for (int i = 0; i < sla.size(); i++) {
                String path = "sla[" + i + "]";
                JsonNode s = sla.get(i);
                unknown(s, Set.of("state", "escalations"), path + ".");
                String state = text(s, "state");
                if (state == null || !leaving.contains(state)) {
                    errors.add(new FieldError(path + ".state", "must be a state that a transition leaves (a record can wait there)"));
                    continue;
                }
                if (out.containsKey(state)) {
                    errors.add(new FieldError(path + ".state", "has an SLA already"));
                    continue;
                }
                JsonNode es = s.get("escalations");
                if (es == null || !es.isArray() || es.isEmpty() || es.size() > 10) {
                    errors.add(new FieldError(path + ".escalations", "is required: 1 to 10 levels of {after, actions}"));
                    continue;
                }
                List<Escalation> levels = new ArrayList<>();
                Duration previous = Duration.ZERO;
                for (int j = 0; j < es.size(); j++) {
                    String where = path + ".escalations[" + j + "]";
                    Duration after = duration(es.get(j).get("after"), where + ".after");
                    if (after != null && after.compareTo(previous) <= 0) {
                        errors.add(new FieldError(where + ".after", "must be later than the level before"));
                    }
                    JsonNode acts = es.get(j).get("actions");
                    List<ActionDefinition> list = List.of();
                    if (acts == null || !acts.isArray() || acts.isEmpty()) {
                        errors.add(new FieldError(where + ".actions", "is required: what happens at this level (e.g. notify the manager)"));
                    } else {
                        list = check ? actions.parse(actor, module.apiName(), acts, where + ".actions", errors) : ActionCatalog.fromJson(acts);
                    }
                    if (after != null) {
                        levels.add(new Escalation(j, after, list));
                        previous = after;
                    }
                }
                out.put(state, List.copyOf(levels));
            }
            return out;
        }

        private Duration duration(JsonNode n, String path) {
            try {
                Duration d = n != null && n.isTextual() ? Duration.parse(n.textValue()) : null;
                if (d != null && !d.isNegative() && !d.isZero() && d.compareTo(Duration.ofDays(3650)) <= 0) {
                    return d;
                }
            } catch (DateTimeParseException e) {
                // reported below
            }
            errors.add(new FieldError(path, "must be a positive ISO-8601 duration of at most 10 years, e.g. PT4H or P2D"));
            return null;
        }

        private CompiledCriteria criteria(JsonNode c, Module module, String path) {
            try {
                return CompiledCriteria.compile(RuleDefinition.criteria(c), module, false);
            } catch (ValidationException e) {
                e.errors().forEach(fe -> errors.add(new FieldError(path + (fe.field().isEmpty() ? "" : "." + fe.field()), fe.message())));
                if (e.errors().isEmpty()) {
                    errors.add(new FieldError(path, e.getMessage()));
                }
                return null;
            }
        }

        private static Criteria criteriaOf(JsonNode c) {
            return RuleDefinition.criteria(c);
        }

        private void unknown(JsonNode o, Set<String> known, String prefix) {
            if (o == null || !o.isObject()) {
                return;
            }
            for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!known.contains(k)) {
                    errors.add(new FieldError(prefix + k, "unknown property; expected one of " + new java.util.TreeSet<>(known)));
                }
            }
        }

        private static String text(JsonNode o, String key) {
            JsonNode n = o == null ? null : o.get(key);
            return n != null && n.isTextual() ? n.textValue() : null;
        }
    }

    /** The During part as JSON, for a user interface to render the transition's form. */
    static ObjectNode duringJson(During d) {
        ObjectNode o = Json.object();
        ArrayNode fields = o.putArray("fields");
        d.fields().forEach(f -> {
            ObjectNode entry = fields.addObject().put("field", f.field()).put("mandatory", f.mandatory());
            if (f.related()) {
                entry.put("related_module", f.relatedModule());
            }
        });
        o.put("note", d.note());
        o.put("attachments", d.attachments());
        ArrayNode cl = o.putArray("checklist");
        d.checklist().forEach(cl::add);
        ArrayNode vs = o.putArray("validations");
        d.validations().forEach(v -> vs.add(v.message()));
        return o;
    }
}
