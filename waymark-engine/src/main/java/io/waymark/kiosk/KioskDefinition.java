package io.waymark.kiosk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.action.ActionCatalog;
import io.waymark.action.ActionType;
import io.waymark.criteria.Condition;
import io.waymark.criteria.CompiledCriteria;
import io.waymark.criteria.Criteria;
import io.waymark.criteria.CriteriaJson;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.flow.Merge;
import io.waymark.flow.VarCriteria;
import io.waymark.record.Field;
import io.waymark.record.FieldType;
import io.waymark.record.FieldValues;
import io.waymark.record.Module;
import io.waymark.record.ModuleCatalog;
import io.waymark.record.SystemFields;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A kiosk definition, checked against the organisation's modules. The JSON form:
 *
 * <pre>{@code
 * {"name": "Trip desk", "context_module": "Contacts", "start": "pick", "idle_timeout_minutes": 30,
 *  "elements": [
 *    {"id": "pick", "type": "screen", "title": "Trips", "components": [
 *       {"type": "text", "text": "Trips of {{record.First_Name}}"},
 *       {"type": "record_list", "name": "trip", "module": "Trips", "sort": "-Start_Date",
 *        "criteria": {"conditions": [{"field": "Contact", "operator": "equals", "value": "{{record.id}}"}]},
 *        "selectable": true, "required": true},
 *       {"type": "related_list", "name": "travellers", "of": "trip", "module": "Co_Travellers"},
 *       {"type": "record", "name": "account", "module": "Accounts", "id": "{{record.Account_Name}}"},
 *       {"type": "input", "name": "start", "label": "Start", "field_type": "date", "required": true,
 *        "default": "{{trip.Start_Date}}"},
 *       {"type": "input", "name": "email", "field": "Contacts.Email"},
 *       {"type": "button", "name": "next", "label": "Next", "next": "check"}]},
 *    {"id": "check", "type": "decision", "branches": [{"criteria": {...}, "next": "save"}], "otherwise": "pick"},
 *    {"id": "save", "type": "action", "next": "done", "actions": [
 *       {"type": "update_record", "module": "Trips", "record": "{{trip.id}}", "values": {"Start_Date": "{{start}}"}},
 *       {"type": "create_record", "module": "Tasks", "store_as": "task", "values": {...}},
 *       {"type": "emit_signal", "signal_type": "trip.rescheduled", "module": "Trips", "record": "{{trip.id}}", "payload": {...}}]},
 *    {"id": "done", "type": "end", "message": "Saved"}]}
 * }</pre>
 *
 * Validation finds dangling {@code next} references, unreachable elements, loops that never show a
 * screen, unknown modules and fields, and merge references to values not collected before the
 * element on any path from the start.
 */
final class KioskDefinition {
    static final Set<String> TYPES = Set.of("screen", "decision", "action", "end");
    static final Set<String> COMPONENTS = Set.of("text", "record_list", "related_list", "record", "input", "button");
    static final Set<String> ACTIONS = Set.of("create_record", "update_record", "emit_signal", "send_email");
    /** Variables every run has: the record it runs on (with a context module) and the running user. */
    static final String RECORD = "record";
    static final String USER = "user";
    private static final Pattern ID = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,62}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,62}");
    static final int MAX_ELEMENTS = 200;
    static final int MAX_LIST = 100;

    final String name;
    final String contextModule;
    final String start;
    final int idleMinutes;
    /** Elements by id, in definition order. */
    final Map<String, ObjectNode> elements;
    /** The module of each record-valued variable (lists, records, created records, the context). */
    final Map<String, String> recordVars;
    /** Input fields by input name. */
    final Map<String, Field> inputs;

    private KioskDefinition(String name, String contextModule, String start, int idleMinutes, Map<String, ObjectNode> elements,
                            Map<String, String> recordVars, Map<String, Field> inputs) {
        this.name = name;
        this.contextModule = contextModule;
        this.start = start;
        this.idleMinutes = idleMinutes;
        this.elements = elements;
        this.recordVars = recordVars;
        this.inputs = inputs;
    }

    static KioskDefinition parse(JsonNode body, ModuleCatalog catalog) {
        return new Parser(catalog, null, null).parse(body);
    }

    /**
     * Parses and also checks the configs of actions from the action catalogue (send_email) as
     * {@code actor} would save them; runs re-read a saved definition without that check.
     */
    static KioskDefinition parse(JsonNode body, ModuleCatalog catalog, ActionCatalog actions, Actor actor) {
        return new Parser(catalog, actions, actor).parse(body);
    }

    /** The ids an element can go to next. */
    static List<String> successors(ObjectNode e) {
        List<String> out = new ArrayList<>();
        switch (e.path("type").asText()) {
            case "screen" -> e.path("components").forEach(c -> {
                if ("button".equals(c.path("type").asText()) && c.path("next").isTextual()) {
                    out.add(c.get("next").textValue());
                }
            });
            case "decision" -> {
                e.path("branches").forEach(b -> {
                    if (b.path("next").isTextual()) {
                        out.add(b.get("next").textValue());
                    }
                });
                if (e.path("otherwise").isTextual()) {
                    out.add(e.get("otherwise").textValue());
                }
            }
            case "action" -> {
                if (e.path("next").isTextual()) {
                    out.add(e.get("next").textValue());
                }
            }
            default -> {
            }
        }
        return out;
    }

    /** The variables an element defines for the elements after it. */
    private static List<String> defines(ObjectNode e) {
        List<String> out = new ArrayList<>();
        if ("screen".equals(e.path("type").asText())) {
            e.path("components").forEach(c -> {
                if (c.path("name").isTextual() && !"button".equals(c.path("type").asText()) && !"text".equals(c.path("type").asText())) {
                    out.add(c.get("name").textValue());
                }
            });
        } else if ("action".equals(e.path("type").asText())) {
            e.path("actions").forEach(a -> {
                if (a.path("store_as").isTextual()) {
                    out.add(a.get("store_as").textValue());
                }
            });
        }
        return out;
    }

    static Field inputField(String name, String label, FieldType type, boolean required, List<String> options, String lookupModule) {
        return new Field(UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8)), name, label, type, required, false,
                null, null, null, null, null, options, lookupModule, false, false, null, 0, false);
    }

    private static final class Parser {
        private final ModuleCatalog catalog;
        private final ActionCatalog actions;
        private final Actor actor;
        private final List<FieldError> errors = new ArrayList<>();
        private final Map<String, String> recordVars = new HashMap<>();
        private final Map<String, Field> inputs = new HashMap<>();
        private final Map<String, Integer> index = new LinkedHashMap<>();

        Parser(ModuleCatalog catalog, ActionCatalog actions, Actor actor) {
            this.catalog = catalog;
            this.actions = actions;
            this.actor = actor;
        }

        KioskDefinition parse(JsonNode body) {
            if (body == null || !body.isObject()) {
                throw new ValidationException("Invalid kiosk", List.of(new FieldError("body", "must be a JSON object")));
            }
            allowOnly(body, "", Set.of("name", "description", "context_module", "start", "idle_timeout_minutes", "elements"));
            String name = text(body, "name", "", true);
            if (name != null && name.length() > 200) {
                err("name", "must be at most 200 characters");
            }
            String context = text(body, "context_module", "", false);
            if (context != null) {
                module(context, "context_module");
                recordVars.put(RECORD, context);
            }
            int idle = 30;
            if (body.has("idle_timeout_minutes")) {
                JsonNode n = body.get("idle_timeout_minutes");
                if (!n.canConvertToInt() || !n.isIntegralNumber() || n.intValue() < 1 || n.intValue() > 24 * 60) {
                    err("idle_timeout_minutes", "must be a whole number of minutes from 1 to 1440");
                } else {
                    idle = n.intValue();
                }
            }
            JsonNode els = body.get("elements");
            Map<String, ObjectNode> elements = new LinkedHashMap<>();
            if (els == null || !els.isArray() || els.isEmpty()) {
                err("elements", "must be a non-empty array");
            } else if (els.size() > MAX_ELEMENTS) {
                err("elements", "at most " + MAX_ELEMENTS + " elements");
            } else {
                for (int i = 0; i < els.size(); i++) {
                    JsonNode e = els.get(i);
                    String p = "elements[" + i + "]";
                    if (!e.isObject()) {
                        err(p, "must be an object");
                        continue;
                    }
                    String id = text(e, "id", p + ".", true);
                    if (id == null) {
                        continue;
                    }
                    if (!ID.matcher(id).matches()) {
                        err(p + ".id", "must start with a letter and hold only letters, digits, '_' and '-' (at most 63)");
                    } else if (index.containsKey(id)) {
                        err(p + ".id", "'" + id + "' is used by elements[" + index.get(id) + "] too");
                    } else {
                        index.put(id, i);
                        elements.put(id, (ObjectNode) e);
                    }
                }
            }
            String start = text(body, "start", "", true);
            if (start != null && !elements.isEmpty() && !elements.containsKey(start)) {
                err("start", "no element has id '" + start + "'");
            }
            if (!errors.isEmpty()) {
                throw invalid();
            }
            // Shapes first (so the graph checks below can trust types and references) …
            for (Map.Entry<String, ObjectNode> e : elements.entrySet()) {
                shape(e.getValue(), "elements[" + index.get(e.getKey()) + "]", elements.keySet());
            }
            if (!errors.isEmpty()) {
                throw invalid();
            }
            graph(elements, start);
            if (!errors.isEmpty()) {
                throw invalid();
            }
            // … then what each element may refer to, knowing what is collected before it.
            Map<String, Set<String>> known = knownBefore(elements, start, context != null);
            for (Map.Entry<String, ObjectNode> e : elements.entrySet()) {
                references(e.getValue(), "elements[" + index.get(e.getKey()) + "]", known.get(e.getKey()));
            }
            if (!errors.isEmpty()) {
                throw invalid();
            }
            return new KioskDefinition(name, context, start, idle, elements, Map.copyOf(recordVars), Map.copyOf(inputs));
        }

        private ValidationException invalid() {
            return new ValidationException(errors.size() == 1 ? errors.get(0).field() + " " + errors.get(0).message()
                    : errors.size() + " problems in the kiosk", errors);
        }

        private void shape(ObjectNode e, String p, Set<String> ids) {
            String type = e.path("type").isTextual() ? e.get("type").textValue() : null;
            if (type == null || !TYPES.contains(type)) {
                err(p + ".type", "must be one of " + new java.util.TreeSet<>(TYPES));
                return;
            }
            switch (type) {
                case "screen" -> screen(e, p, ids);
                case "decision" -> {
                    allowOnly(e, p + ".", Set.of("id", "type", "title", "branches", "otherwise"));
                    JsonNode branches = e.get("branches");
                    if (branches == null || !branches.isArray() || branches.isEmpty()) {
                        err(p + ".branches", "must be a non-empty array of {criteria, next}");
                    } else {
                        for (int i = 0; i < branches.size(); i++) {
                            String bp = p + ".branches[" + i + "]";
                            allowOnly(branches.get(i), bp + ".", Set.of("criteria", "next", "label"));
                            CriteriaJson.parse(branches.get(i).get("criteria"), bp + ".criteria", errors);
                            next(branches.get(i), bp, ids);
                        }
                    }
                    String otherwise = text(e, "otherwise", p + ".", true);
                    if (otherwise != null && !ids.contains(otherwise)) {
                        err(p + ".otherwise", "no element has id '" + otherwise + "'");
                    }
                }
                case "action" -> {
                    allowOnly(e, p + ".", Set.of("id", "type", "title", "actions", "next"));
                    JsonNode actions = e.get("actions");
                    if (actions == null || !actions.isArray() || actions.isEmpty()) {
                        err(p + ".actions", "must be a non-empty array");
                    } else {
                        for (int i = 0; i < actions.size(); i++) {
                            action(actions.get(i), p + ".actions[" + i + "]");
                        }
                    }
                    next(e, p, ids);
                }
                default -> allowOnly(e, p + ".", Set.of("id", "type", "title", "message", "success"));
            }
        }

        private void screen(ObjectNode e, String p, Set<String> ids) {
            allowOnly(e, p + ".", Set.of("id", "type", "title", "components"));
            JsonNode comps = e.get("components");
            if (comps == null || !comps.isArray() || comps.isEmpty()) {
                err(p + ".components", "must be a non-empty array");
                return;
            }
            Set<String> buttons = new HashSet<>();
            for (int i = 0; i < comps.size(); i++) {
                JsonNode c = comps.get(i);
                String cp = p + ".components[" + i + "]";
                String type = c.path("type").isTextual() ? c.get("type").textValue() : null;
                if (type == null || !COMPONENTS.contains(type)) {
                    err(cp + ".type", "must be one of " + new java.util.TreeSet<>(COMPONENTS));
                    continue;
                }
                switch (type) {
                    case "text" -> {
                        allowOnly(c, cp + ".", Set.of("type", "text"));
                        text(c, "text", cp + ".", true);
                    }
                    case "button" -> {
                        allowOnly(c, cp + ".", Set.of("type", "name", "label", "next", "validate"));
                        String name = text(c, "name", cp + ".", true);
                        if (name != null && !buttons.add(name)) {
                            err(cp + ".name", "another button of this screen is named '" + name + "'");
                        }
                        next(c, cp, ids);
                        if (c.has("validate") && !c.get("validate").isBoolean()) {
                            err(cp + ".validate", "must be true or false");
                        }
                    }
                    case "record_list", "related_list" -> {
                        boolean related = type.equals("related_list");
                        allowOnly(c, cp + ".", related
                                ? Set.of("type", "name", "label", "module", "of", "via", "sort", "limit", "selectable", "required", "fields")
                                : Set.of("type", "name", "label", "module", "criteria", "sort", "limit", "selectable", "required", "fields"));
                        String name = variable(c, cp);
                        Module m = module(text(c, "module", cp + ".", true), cp + ".module");
                        if (name != null && m != null) {
                            recordVars.put(name, m.apiName());
                        }
                        if (m != null) {
                            sort(c, cp, m);
                            fields(c, cp, m);
                            if (!related && c.has("criteria")) {
                                criteria(c.get("criteria"), cp + ".criteria", m);
                            }
                            if (related) {
                                text(c, "of", cp + ".", true);
                                if (c.has("via")) {
                                    String via = text(c, "via", cp + ".", true);
                                    Field f = via == null ? null : m.field(via).orElse(null);
                                    if (via != null && (f == null || f.type() != FieldType.LOOKUP)) {
                                        err(cp + ".via", m.apiName() + " has no lookup field named " + via);
                                    }
                                }
                            }
                        }
                        if (c.has("limit") && (!c.get("limit").isIntegralNumber() || c.get("limit").intValue() < 1
                                || c.get("limit").intValue() > MAX_LIST)) {
                            err(cp + ".limit", "must be a whole number from 1 to " + MAX_LIST);
                        }
                        bool(c, "selectable", cp);
                        bool(c, "required", cp);
                    }
                    case "record" -> {
                        allowOnly(c, cp + ".", Set.of("type", "name", "label", "module", "id", "fields"));
                        String name = variable(c, cp);
                        Module m = module(text(c, "module", cp + ".", true), cp + ".module");
                        if (name != null && m != null) {
                            recordVars.put(name, m.apiName());
                            fields(c, cp, m);
                        }
                        String id = text(c, "id", cp + ".", true);
                        if (id != null && Merge.roots(c.get("id")).isEmpty() && io.waymark.Ids.parse(id) == null) {
                            err(cp + ".id", "must be a record id or a merge value such as {{record.Account_Name}}");
                        }
                    }
                    default -> input(c, cp);
                }
            }
            if (buttons.isEmpty()) {
                err(p + ".components", "a screen needs at least one button");
            }
        }

        private void input(JsonNode c, String cp) {
            allowOnly(c, cp + ".", Set.of("type", "name", "label", "field_type", "field", "required", "default", "options"));
            String name = variable(c, cp);
            bool(c, "required", cp);
            boolean required = c.path("required").asBoolean(false);
            String label = c.path("label").isTextual() ? c.get("label").textValue() : name;
            Field field = null;
            if (c.has("field")) {
                String ref = text(c, "field", cp + ".", true);
                int dot = ref == null ? -1 : ref.indexOf('.');
                if (ref != null && dot < 0) {
                    err(cp + ".field", "must be Module.Field, e.g. Contacts.Email");
                } else if (ref != null) {
                    Module m = module(ref.substring(0, dot), cp + ".field");
                    Field f = m == null ? null : m.field(ref.substring(dot + 1)).orElse(null);
                    if (m != null && f == null) {
                        err(cp + ".field", m.apiName() + " has no field " + ref.substring(dot + 1));
                    } else if (f != null && name != null) {
                        field = inputField(name, label, f.type(), required, f.picklistValues(), f.lookupModule());
                    }
                }
                if (c.has("field_type")) {
                    err(cp + ".field_type", "give either field or field_type, not both");
                }
            } else {
                String t = text(c, "field_type", cp + ".", true);
                FieldType type = t == null ? null : FieldType.fromApiName(t).orElse(null);
                if (t != null && type == null) {
                    err(cp + ".field_type", "must be one of " + java.util.Arrays.stream(FieldType.values()).map(FieldType::apiName).toList());
                } else if (type == FieldType.OWNER || type == FieldType.LOOKUP) {
                    err(cp + ".field_type", type.apiName() + " inputs need a field reference (field: Module.Field); choose records with a record_list instead");
                } else if (type != null) {
                    List<String> options = new ArrayList<>();
                    boolean choice = type == FieldType.PICKLIST || type == FieldType.MULTI_SELECT;
                    if (choice) {
                        JsonNode o = c.get("options");
                        if (o == null || !o.isArray() || o.isEmpty()) {
                            err(cp + ".options", "a " + type.apiName() + " input needs a non-empty array of options");
                        } else {
                            o.forEach(v -> options.add(v.asText()));
                        }
                    } else if (c.has("options")) {
                        err(cp + ".options", "only picklist and multi_select inputs take options");
                    }
                    if (name != null) {
                        field = inputField(name, label, type, required, options, null);
                    }
                }
            }
            if (field != null) {
                inputs.put(name, field);
                JsonNode def = c.get("default");
                if (def != null && !def.isNull() && Merge.roots(def).isEmpty()) {
                    FieldValues.Result r = FieldValues.fromJson(field, def);
                    if (!r.ok()) {
                        err(cp + ".default", r.error());
                    }
                }
            }
        }

        private void action(JsonNode a, String ap) {
            if (!a.isObject()) {
                err(ap, "must be an object");
                return;
            }
            String type = a.path("type").isTextual() ? a.get("type").textValue() : null;
            if (type == null || !ACTIONS.contains(type)) {
                err(ap + ".type", "must be one of " + new java.util.TreeSet<>(ACTIONS));
                return;
            }
            switch (type) {
                case "create_record", "update_record" -> {
                    boolean create = type.equals("create_record");
                    allowOnly(a, ap + ".", create ? Set.of("type", "module", "values", "store_as")
                            : Set.of("type", "module", "record", "values", "store_as"));
                    Module m = module(text(a, "module", ap + ".", true), ap + ".module");
                    if (!create) {
                        text(a, "record", ap + ".", true);
                    }
                    JsonNode values = a.get("values");
                    if (values == null || !values.isObject() || (!create && values.isEmpty())) {
                        err(ap + ".values", "must be an object of field API names to values or merge values");
                    } else if (m != null) {
                        for (Iterator<Map.Entry<String, JsonNode>> it = values.fields(); it.hasNext(); ) {
                            Map.Entry<String, JsonNode> f = it.next();
                            if (f.getKey().equals("layout")) {
                                continue;
                            }
                            Field field = m.field(f.getKey()).orElse(null);
                            if (field == null) {
                                err(ap + ".values." + f.getKey(), m.apiName() + " has no field " + f.getKey());
                            } else if (field.readOnly()) {
                                err(ap + ".values." + f.getKey(), "is read-only");
                            } else if (Merge.roots(f.getValue()).isEmpty()) {
                                FieldValues.Result r = FieldValues.fromJson(field, f.getValue());
                                if (!r.ok()) {
                                    err(ap + ".values." + f.getKey(), r.error());
                                }
                            }
                        }
                    }
                    if (a.has("store_as")) {
                        String s = a.path("store_as").isTextual() ? a.get("store_as").textValue() : null;
                        if (s == null || !NAME.matcher(s).matches() || s.equals(RECORD) || s.equals(USER)) {
                            err(ap + ".store_as", "must be a name of letters, digits and '_' (not record or user)");
                        } else if (m != null) {
                            recordVars.put(s, m.apiName());
                        }
                    }
                }
                case "send_email" -> {
                    allowOnly(a, ap + ".", Set.of("type", "module", "record", "config"));
                    Module m = module(text(a, "module", ap + ".", true), ap + ".module");
                    text(a, "record", ap + ".", true);
                    JsonNode config = a.get("config");
                    if (config == null || !config.isObject()) {
                        err(ap + ".config", "must be an object, e.g. {\"template_id\": \"...\"}");
                    } else if (actions != null && m != null) {
                        ActionType sendEmail = actions.find("send_email").orElse(null);
                        if (sendEmail == null) {
                            err(ap + ".type", "email is not set up on this server");
                        } else if (Merge.roots(config).isEmpty()) {
                            try {
                                sendEmail.validate(actor, m.apiName(), (ObjectNode) config);
                            } catch (ValidationException e) {
                                e.errors().forEach(fe -> err(ap + "." + fe.field(), fe.message()));
                            }
                        }
                    }
                }
                default -> {
                    allowOnly(a, ap + ".", Set.of("type", "signal_type", "subject", "module", "record", "payload"));
                    String st = text(a, "signal_type", ap + ".", true);
                    if (st != null && !st.matches("[a-z][a-z0-9_]*(\\.[a-z0-9_]+)+")) {
                        err(ap + ".signal_type", "must be lower-case words joined by dots, e.g. trip.rescheduled");
                    }
                    if (a.has("module") != a.has("record")) {
                        err(ap + (a.has("module") ? ".record" : ".module"), "module and record go together");
                    }
                    if (a.has("module")) {
                        module(text(a, "module", ap + ".", true), ap + ".module");
                    }
                    if (!a.has("subject") && !a.has("record")) {
                        err(ap + ".subject", "is required (or module and record)");
                    }
                    if (a.has("payload") && !a.get("payload").isObject()) {
                        err(ap + ".payload", "must be an object");
                    }
                }
            }
        }

        private void criteria(JsonNode node, String cp, Module m) {
            Criteria c = CriteriaJson.parse(node, cp, errors);
            if (c == null) {
                return;
            }
            for (int i = 0; i < c.conditions().size(); i++) {
                Condition cond = c.conditions().get(i);
                String where = cp + ".conditions[" + i + "]";
                if (SystemFields.resolve(m, cond.field()).isEmpty()) {
                    err(where + ".field", m.apiName() + " has no field " + cond.field());
                } else if (cond.values().stream().allMatch(v -> Merge.roots(v).isEmpty())) {
                    try {
                        CompiledCriteria.compile(Criteria.of(List.of(cond), null), m, false);
                    } catch (ValidationException e) {
                        err(where, e.errors().isEmpty() ? e.getMessage() : e.errors().get(0).message());
                    }
                }
            }
        }

        private void sort(JsonNode c, String cp, Module m) {
            if (!c.has("sort")) {
                return;
            }
            String s = text(c, "sort", cp + ".", true);
            if (s == null) {
                return;
            }
            for (String part : s.split(",")) {
                String k = part.strip();
                String name = k.startsWith("-") || k.startsWith("+") ? k.substring(1) : k;
                if (SystemFields.resolve(m, name).isEmpty()) {
                    err(cp + ".sort", m.apiName() + " has no field " + name);
                }
            }
        }

        private void fields(JsonNode c, String cp, Module m) {
            if (!c.has("fields")) {
                return;
            }
            JsonNode f = c.get("fields");
            if (!f.isArray()) {
                err(cp + ".fields", "must be an array of field API names");
                return;
            }
            for (int i = 0; i < f.size(); i++) {
                String n = f.get(i).asText();
                if (SystemFields.resolve(m, n).isEmpty()) {
                    err(cp + ".fields[" + i + "]", m.apiName() + " has no field " + n);
                }
            }
        }

        private String variable(JsonNode c, String cp) {
            String name = text(c, "name", cp + ".", true);
            if (name == null) {
                return null;
            }
            if (!NAME.matcher(name).matches()) {
                err(cp + ".name", "must start with a letter and hold only letters, digits and '_'");
                return null;
            }
            if (name.equals(RECORD) || name.equals(USER)) {
                err(cp + ".name", "'" + name + "' is reserved");
                return null;
            }
            return name;
        }

        private void graph(Map<String, ObjectNode> elements, String start) {
            Set<String> seen = new HashSet<>();
            Deque<String> todo = new ArrayDeque<>(List.of(start));
            while (!todo.isEmpty()) {
                String id = todo.pop();
                if (seen.add(id)) {
                    todo.addAll(successors(elements.get(id)));
                }
            }
            for (String id : elements.keySet()) {
                if (!seen.contains(id)) {
                    err("elements[" + index.get(id) + "]", "'" + id + "' cannot be reached from the start");
                }
            }
            boolean hasEnd = elements.values().stream().anyMatch(e -> "end".equals(e.path("type").asText()));
            if (!hasEnd) {
                err("elements", "the kiosk needs at least one end element");
            }
            // A cycle through decisions and actions alone would run forever without asking anyone.
            Map<String, Integer> state = new HashMap<>();
            for (String id : elements.keySet()) {
                String t = elements.get(id).path("type").asText();
                if ((t.equals("decision") || t.equals("action")) && loops(id, elements, state)) {
                    err("elements[" + index.get(id) + "]", "'" + id + "' is on a loop that never shows a screen");
                    return;
                }
            }
        }

        private boolean loops(String id, Map<String, ObjectNode> elements, Map<String, Integer> state) {
            Integer s = state.get(id);
            if (s != null) {
                return s == 1;
            }
            state.put(id, 1);
            for (String n : successors(elements.get(id))) {
                String t = elements.get(n).path("type").asText();
                if ((t.equals("decision") || t.equals("action")) && loops(n, elements, state)) {
                    return true;
                }
            }
            state.put(id, 2);
            return false;
        }

        /** For each element, the variables collected on some path from the start to it. */
        private Map<String, Set<String>> knownBefore(Map<String, ObjectNode> elements, String start, boolean context) {
            Map<String, Set<String>> in = new HashMap<>();
            elements.keySet().forEach(id -> in.put(id, new LinkedHashSet<>()));
            Set<String> initial = in.get(start);
            initial.add(USER);
            if (context) {
                initial.add(RECORD);
            }
            boolean changed = true;
            while (changed) {
                changed = false;
                for (Map.Entry<String, ObjectNode> e : elements.entrySet()) {
                    Set<String> out = new LinkedHashSet<>(in.get(e.getKey()));
                    out.addAll(defines(e.getValue()));
                    for (String n : successors(e.getValue())) {
                        changed |= in.get(n).addAll(out);
                    }
                }
            }
            return in;
        }

        private void references(ObjectNode e, String p, Set<String> known) {
            switch (e.path("type").asText()) {
                case "screen" -> {
                    JsonNode comps = e.get("components");
                    for (int i = 0; i < comps.size(); i++) {
                        JsonNode c = comps.get(i);
                        String cp = p + ".components[" + i + "]";
                        if ("related_list".equals(c.path("type").asText())) {
                            String of = c.path("of").asText();
                            String ofModule = recordVars.get(of);
                            if (!known.contains(of) || ofModule == null) {
                                err(cp + ".of", "'" + of + "' is not a record collected before this screen");
                            } else {
                                Module m = catalog.find(c.path("module").asText()).orElseThrow();
                                List<Field> links = m.visibleFields().stream()
                                        .filter(f -> f.type() == FieldType.LOOKUP && ofModule.equals(f.lookupModule()))
                                        .filter(f -> !c.has("via") || f.apiName().equals(c.get("via").asText())).toList();
                                if (links.isEmpty()) {
                                    err(cp + ".module", m.apiName() + " has no lookup to " + ofModule);
                                } else if (links.size() > 1) {
                                    err(cp + ".via", m.apiName() + " has several lookups to " + ofModule + ": name one of "
                                            + links.stream().map(Field::apiName).toList());
                                }
                            }
                        }
                        for (Iterator<Map.Entry<String, JsonNode>> it = c.fields(); it.hasNext(); ) {
                            Map.Entry<String, JsonNode> f = it.next();
                            merges(f.getValue(), cp + "." + f.getKey(), known);
                        }
                    }
                }
                case "decision" -> {
                    JsonNode branches = e.get("branches");
                    for (int i = 0; i < branches.size(); i++) {
                        Criteria c = CriteriaJson.parse(branches.get(i).get("criteria"), p + ".branches[" + i + "].criteria");
                        VarCriteria.validate(c, known, p + ".branches[" + i + "].criteria", errors);
                    }
                }
                case "action" -> {
                    Set<String> k = new LinkedHashSet<>(known);
                    JsonNode actions = e.get("actions");
                    for (int i = 0; i < actions.size(); i++) {
                        JsonNode a = actions.get(i);
                        for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
                            Map.Entry<String, JsonNode> f = it.next();
                            if (!f.getKey().equals("store_as")) {
                                merges(f.getValue(), p + ".actions[" + i + "]." + f.getKey(), k);
                            }
                        }
                        if (a.path("store_as").isTextual()) {
                            k.add(a.get("store_as").textValue());
                        }
                    }
                }
                default -> merges(e.get("message"), p + ".message", known);
            }
        }

        private void merges(JsonNode node, String path, Set<String> known) {
            for (String r : Merge.roots(node)) {
                if (!known.contains(r)) {
                    err(path, "'{{" + r + "}}' is not a value collected before this point; known: " + known);
                }
            }
        }

        private void next(JsonNode c, String cp, Set<String> ids) {
            String next = text(c, "next", cp + ".", true);
            if (next != null && !ids.contains(next)) {
                err(cp + ".next", "no element has id '" + next + "'");
            }
        }

        private Module module(String name, String path) {
            if (name == null) {
                return null;
            }
            Module m = catalog.find(name).orElse(null);
            if (m == null) {
                err(path, "no module named '" + name + "'");
            }
            return m;
        }

        private void bool(JsonNode c, String key, String cp) {
            if (c.has(key) && !c.get(key).isBoolean()) {
                err(cp + "." + key, "must be true or false");
            }
        }

        private String text(JsonNode node, String key, String prefix, boolean required) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                if (required) {
                    err(prefix + key, "is required");
                }
                return null;
            }
            if (!v.isTextual() || v.textValue().isBlank()) {
                err(prefix + key, "must be a non-empty string");
                return null;
            }
            return v.textValue().strip();
        }

        private void allowOnly(JsonNode node, String prefix, Set<String> keys) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!keys.contains(k)) {
                    err(prefix + k, "unknown property; expected one of " + new java.util.TreeSet<>(keys));
                }
            }
        }

        private void err(String field, String message) {
            errors.add(new FieldError(field, message));
        }
    }
}
