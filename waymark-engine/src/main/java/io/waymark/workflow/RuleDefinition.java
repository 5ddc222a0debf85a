package io.waymark.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.action.ActionCatalog;
import io.waymark.action.ActionDefinition;
import io.waymark.criteria.CompactCriteria;
import io.waymark.criteria.CompiledCriteria;
import io.waymark.criteria.Condition;
import io.waymark.criteria.Criteria;
import io.waymark.criteria.Operator;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import io.waymark.record.Field;
import io.waymark.record.FieldType;
import io.waymark.record.Module;
import io.waymark.record.ModuleCatalog;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * A workflow rule's definition, parsed and checked against the module's metadata: what triggers
 * it, its ordered branches (the first whose criteria match wins, else {@code otherwise}), and for
 * each branch the instant and scheduled actions.
 *
 * <pre>{@code
 * {"name": "Big deal follow-up", "module": "Deals", "active": true,
 *  "trigger": {"type": "field_update", "fields": ["Stage"]},
 *  "rules": [{"name": "won", "criteria": "(Stage:equals:Closed Won)",
 *             "actions": [{"type": "create_task", "config": {"subject": "Thank {{Deals.Deal_Name}}", "due": "today + 1d"}}],
 *             "scheduled": [{"offset": {"amount": 30, "unit": "days"}, "actions": [...]}]}],
 *  "otherwise": {"actions": [...]}}
 * }</pre>
 *
 * Trigger types: {@code create}, {@code edit}, {@code create_or_edit}, {@code field_update}
 * (any of {@code fields} changed), {@code delete}, {@code date} ({@code field}, an {@code offset}
 * before or after it, {@code time} of day for date fields, {@code recurrence} none, monthly or yearly).
 */
public record RuleDefinition(String name, String description, String module, Trigger trigger, List<Branch> branches, Branch otherwise) {
    public static final int MAX_BRANCHES = 10;
    public static final int MAX_SCHEDULED = 5;
    static final Set<String> KEYS = Set.of("name", "description", "module", "active", "trigger", "rules", "otherwise", "version");

    /** What makes a rule run. */
    public enum TriggerType { CREATE, EDIT, CREATE_OR_EDIT, FIELD_UPDATE, DELETE, DATE }

    public enum Recurrence { NONE, MONTHLY, YEARLY }

    /** An offset in time; {@code before} for date triggers and scheduled actions counted back from a date. */
    public record Offset(long amount, ChronoUnit unit, boolean before) {
        public java.time.Duration duration() {
            java.time.Duration d = java.time.Duration.of(amount, unit);
            return before ? d.negated() : d;
        }
    }

    public record Trigger(TriggerType type, List<String> fields, String dateField, Offset offset, LocalTime time, Recurrence recurrence) {
        public boolean onCreate() {
            return type == TriggerType.CREATE || type == TriggerType.CREATE_OR_EDIT;
        }

        public boolean onEdit() {
            return type == TriggerType.EDIT || type == TriggerType.CREATE_OR_EDIT || type == TriggerType.FIELD_UPDATE;
        }
    }

    /** Actions that run later: {@code offset} from the trigger time, or from a date field's value. */
    public record Scheduled(int index, Offset offset, String fromField, LocalTime time, List<ActionDefinition> actions) {
    }

    /** One branch: criteria (null = always) and what to do. */
    public record Branch(int index, String name, Criteria criteria, CompiledCriteria compiled, List<ActionDefinition> actions,
                         List<Scheduled> scheduled) {
        public String label() {
            return index < 0 ? "otherwise" : name != null ? name : "rules[" + index + "]";
        }
    }

    /** All scheduled action groups of the rule. */
    public List<Branch> allBranches() {
        List<Branch> all = new ArrayList<>(branches);
        if (otherwise != null) {
            all.add(otherwise);
        }
        return all;
    }

    public boolean hasScheduled() {
        return allBranches().stream().anyMatch(b -> !b.scheduled().isEmpty());
    }

    // ------------------------------------------------------------------ parsing

    /**
     * Parses and validates a definition. Throws {@link ValidationException} naming every bad
     * field by its path ({@code rules[1].actions[0].config.field}).
     */
    public static RuleDefinition parse(Actor actor, ModuleCatalog catalog, ActionCatalog actions, JsonNode body) {
        return parse(actor, catalog, actions, body, false);
    }

    /** Reads back a stored definition: its actions were validated when it was saved and are not checked again. */
    static RuleDefinition load(ModuleCatalog catalog, JsonNode stored) {
        return parse(null, catalog, null, stored, true);
    }

    private static RuleDefinition parse(Actor actor, ModuleCatalog catalog, ActionCatalog actions, JsonNode body, boolean stored) {
        List<FieldError> errors = new ArrayList<>();
        if (body == null || !body.isObject()) {
            throw new ValidationException("A rule is a JSON object", List.of(new FieldError("body", "must be a JSON object")));
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                errors.add(new FieldError(k, "unknown property; expected one of " + new java.util.TreeSet<>(KEYS)));
            }
        }
        String name = text(body, "name");
        if (name == null || name.isBlank() || name.length() > 200) {
            errors.add(new FieldError("name", "is required, at most 200 characters"));
        }
        String description = text(body, "description");
        if (description != null && description.length() > 2000) {
            errors.add(new FieldError("description", "is at most 2000 characters"));
        }
        if (body.has("active") && !body.get("active").isBoolean()) {
            errors.add(new FieldError("active", "must be true or false"));
        }
        String moduleName = text(body, "module");
        Module module = moduleName == null ? null : catalog.find(moduleName).orElse(null);
        if (module == null) {
            errors.add(new FieldError("module", moduleName == null ? "is required" : "unknown module '" + moduleName + "'"));
            throw invalid(errors);
        }
        Trigger trigger = trigger(module, body.get("trigger"), errors);
        boolean changes = trigger != null && trigger.onEdit();
        List<Branch> branches = new ArrayList<>();
        JsonNode rules = body.get("rules");
        if (rules == null || !rules.isArray() || rules.isEmpty()) {
            errors.add(new FieldError("rules", "is required: a list of 1 to " + MAX_BRANCHES + " conditions with their actions"));
        } else if (rules.size() > MAX_BRANCHES) {
            errors.add(new FieldError("rules", "holds at most " + MAX_BRANCHES + " conditions"));
        } else {
            for (int i = 0; i < rules.size(); i++) {
                branches.add(branch(actor, catalog, actions, module, trigger, rules.get(i), i, "rules[" + i + "]", changes, errors));
            }
        }
        Branch otherwise = null;
        JsonNode o = body.get("otherwise");
        if (o != null && !o.isNull()) {
            otherwise = branch(actor, catalog, actions, module, trigger, o, -1, "otherwise", changes, errors);
        }
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        return new RuleDefinition(name.strip(), description, module.apiName(), trigger, branches, otherwise);
    }

    private static ValidationException invalid(List<FieldError> errors) {
        return new ValidationException(errors.size() == 1 ? errors.get(0).field() + " " + errors.get(0).message()
                : errors.size() + " fields are invalid", errors);
    }

    private static String text(JsonNode n, String k) {
        return n.path(k).isTextual() ? n.get(k).textValue() : null;
    }

    private static Trigger trigger(Module module, JsonNode t, List<FieldError> errors) {
        if (t == null || !t.isObject()) {
            errors.add(new FieldError("trigger", "is required: an object with a type"));
            return null;
        }
        for (Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!Set.of("type", "fields", "field", "offset", "time", "recurrence").contains(k)) {
                errors.add(new FieldError("trigger." + k, "unknown property"));
            }
        }
        String typeName = text(t, "type");
        TriggerType type = null;
        for (TriggerType tt : TriggerType.values()) {
            if (tt.name().toLowerCase(Locale.ROOT).equals(typeName)) {
                type = tt;
            }
        }
        if (type == null) {
            errors.add(new FieldError("trigger.type", "must be one of create, edit, create_or_edit, field_update, delete, date"));
            return null;
        }
        List<String> fields = new ArrayList<>();
        if (type == TriggerType.FIELD_UPDATE) {
            JsonNode f = t.get("fields");
            if (f == null || !f.isArray() || f.isEmpty()) {
                errors.add(new FieldError("trigger.fields", "is required: the fields whose update triggers the rule"));
            } else {
                for (int i = 0; i < f.size(); i++) {
                    String n = f.get(i).asText();
                    if (module.field(n).isEmpty()) {
                        errors.add(new FieldError("trigger.fields[" + i + "]", "unknown field '" + n + "' in module " + module.apiName()));
                    }
                    fields.add(n);
                }
            }
        }
        String dateField = null;
        Offset offset = new Offset(0, ChronoUnit.DAYS, false);
        LocalTime time = LocalTime.of(9, 0);
        Recurrence recurrence = Recurrence.NONE;
        if (type == TriggerType.DATE) {
            dateField = text(t, "field");
            Field f = dateField == null ? null : module.field(dateField).orElse(null);
            if (f == null) {
                errors.add(new FieldError("trigger.field", dateField == null ? "is required: a date or date-time field" : "unknown field '" + dateField + "' in module " + module.apiName()));
            } else if (!f.type().isTemporal()) {
                errors.add(new FieldError("trigger.field", dateField + " is a " + f.type().apiName() + " field, not a date or date-time"));
            }
            if (t.has("offset")) {
                offset = offset(t.get("offset"), "trigger.offset", errors);
            }
            if (t.has("time")) {
                time = time(t.get("time"), "trigger.time", errors);
            }
            String r = text(t, "recurrence");
            if (r != null) {
                try {
                    recurrence = Recurrence.valueOf(r.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    errors.add(new FieldError("trigger.recurrence", "must be none, monthly or yearly"));
                }
            }
        } else {
            for (String k : List.of("field", "offset", "time", "recurrence")) {
                if (t.has(k)) {
                    errors.add(new FieldError("trigger." + k, "applies to date triggers only"));
                }
            }
        }
        return new Trigger(type, fields, dateField, offset, time, recurrence);
    }

    private static Offset offset(JsonNode o, String where, List<FieldError> errors) {
        if (o == null || !o.isObject()) {
            errors.add(new FieldError(where, "must be an object: {\"amount\": 2, \"unit\": \"days\", \"direction\": \"before\"}"));
            return new Offset(0, ChronoUnit.DAYS, false);
        }
        long amount = 0;
        if (!o.path("amount").canConvertToLong() || !o.path("amount").isIntegralNumber() || o.get("amount").longValue() < 0
                || o.get("amount").longValue() > 10_000) {
            errors.add(new FieldError(where + ".amount", "must be a whole number from 0 to 10000"));
        } else {
            amount = o.get("amount").longValue();
        }
        ChronoUnit unit = switch (o.path("unit").asText("")) {
            case "minutes" -> ChronoUnit.MINUTES;
            case "hours" -> ChronoUnit.HOURS;
            case "days" -> ChronoUnit.DAYS;
            case "weeks" -> ChronoUnit.WEEKS;
            default -> {
                errors.add(new FieldError(where + ".unit", "must be minutes, hours, days or weeks"));
                yield ChronoUnit.DAYS;
            }
        };
        String dir = o.path("direction").asText("after");
        if (!dir.equals("after") && !dir.equals("before")) {
            errors.add(new FieldError(where + ".direction", "must be before or after"));
        }
        // Weeks are not a fixed Duration; store them as days.
        return unit == ChronoUnit.WEEKS ? new Offset(amount * 7, ChronoUnit.DAYS, dir.equals("before")) : new Offset(amount, unit, dir.equals("before"));
    }

    private static LocalTime time(JsonNode n, String where, List<FieldError> errors) {
        try {
            return LocalTime.parse(n.asText());
        } catch (DateTimeParseException e) {
            errors.add(new FieldError(where, "must be a time of day such as 09:00"));
            return LocalTime.of(9, 0);
        }
    }

    private static Branch branch(Actor actor, ModuleCatalog catalog, ActionCatalog actions, Module module, Trigger trigger, JsonNode b,
                                 int index, String path, boolean changes, List<FieldError> errors) {
        if (!b.isObject()) {
            errors.add(new FieldError(path, "must be an object with criteria and actions"));
            return new Branch(index, null, null, null, List.of(), List.of());
        }
        for (Iterator<String> it = b.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!Set.of("name", "criteria", "actions", "scheduled").contains(k) || index < 0 && k.equals("criteria")) {
                errors.add(new FieldError(path + "." + k, index < 0 && k.equals("criteria") ? "otherwise has no criteria" : "unknown property"));
            }
        }
        String name = text(b, "name");
        Criteria criteria = null;
        CompiledCriteria compiled = null;
        JsonNode c = b.get("criteria");
        if (c != null && !c.isNull()) {
            try {
                criteria = criteria(c);
                compiled = CompiledCriteria.compile(criteria, module, changes);
            } catch (ValidationException e) {
                e.errors().forEach(fe -> errors.add(new FieldError(path + ".criteria" + (fe.field().isEmpty() ? "" : "." + fe.field()), fe.message())));
                if (e.errors().isEmpty()) {
                    errors.add(new FieldError(path + ".criteria", e.getMessage()));
                }
            }
        }
        List<ActionDefinition> instant = actions == null ? ActionCatalog.fromJson(b.get("actions"))
                : actions.parse(actor, module.apiName(), b.get("actions"), path + ".actions", errors);
        List<Scheduled> scheduled = new ArrayList<>();
        JsonNode s = b.get("scheduled");
        if (s != null && !s.isNull()) {
            if (!s.isArray() || s.size() > MAX_SCHEDULED) {
                errors.add(new FieldError(path + ".scheduled", "must be a list of at most " + MAX_SCHEDULED + " scheduled action groups"));
            } else if (trigger != null && trigger.type() == TriggerType.DELETE) {
                errors.add(new FieldError(path + ".scheduled", "a deleted record cannot have scheduled actions"));
            } else {
                for (int i = 0; i < s.size(); i++) {
                    String at = path + ".scheduled[" + i + "]";
                    JsonNode g = s.get(i);
                    if (!g.isObject()) {
                        errors.add(new FieldError(at, "must be an object with offset and actions"));
                        continue;
                    }
                    for (Iterator<String> it = g.fieldNames(); it.hasNext(); ) {
                        String k = it.next();
                        if (!Set.of("offset", "from", "time", "actions").contains(k)) {
                            errors.add(new FieldError(at + "." + k, "unknown property"));
                        }
                    }
                    Offset off = offset(g.get("offset"), at + ".offset", errors);
                    String from = text(g, "from");
                    if (from != null && !from.equals("trigger")) {
                        Field f = module.field(from).orElse(null);
                        if (f == null || !f.type().isTemporal()) {
                            errors.add(new FieldError(at + ".from", "must be \"trigger\" or a date or date-time field of " + module.apiName()));
                        }
                    } else if (off.before()) {
                        errors.add(new FieldError(at + ".offset.direction", "actions cannot run before their trigger; count back from a date field"));
                    }
                    LocalTime time = g.has("time") ? time(g.get("time"), at + ".time", errors) : LocalTime.of(9, 0);
                    List<ActionDefinition> acts = actions == null ? ActionCatalog.fromJson(g.get("actions"))
                            : actions.parse(actor, module.apiName(), g.get("actions"), at + ".actions", errors);
                    if (acts.isEmpty() && g.path("actions").isArray()) {
                        errors.add(new FieldError(at + ".actions", "must hold at least one action"));
                    } else if (!g.has("actions")) {
                        errors.add(new FieldError(at + ".actions", "is required"));
                    }
                    scheduled.add(new Scheduled(i, off, from == null || from.equals("trigger") ? null : from, time, acts));
                }
            }
        }
        if (instant.isEmpty() && scheduled.isEmpty() && !b.has("actions") && !b.has("scheduled")) {
            errors.add(new FieldError(path + ".actions", "is required: a branch needs instant or scheduled actions"));
        }
        return new Branch(index, name, criteria, compiled, instant, scheduled);
    }

    /** Criteria in the compact form {@code (Stage:equals:Closed Won)} or as {@code {conditions, pattern}}. */
    public static Criteria criteria(JsonNode c) {
        if (c.isTextual()) {
            return CompactCriteria.parse(c.textValue());
        }
        if (!c.isObject() || !c.path("conditions").isArray()) {
            throw new ValidationException("Invalid criteria", List.of(new FieldError("", "must be the compact form, e.g. (Stage:equals:Closed Won), or {\"conditions\": [...], \"pattern\": \"1 AND 2\"}")));
        }
        List<Condition> conditions = new ArrayList<>();
        List<FieldError> errors = new ArrayList<>();
        int i = 0;
        for (JsonNode n : c.get("conditions")) {
            String where = "conditions[" + i++ + "]";
            String field = text(n, "field");
            Operator op = n.path("operator").isTextual() ? Operator.fromApiName(n.get("operator").textValue()).orElse(null) : null;
            if (field == null) {
                errors.add(new FieldError(where + ".field", "is required"));
            }
            if (op == null) {
                errors.add(new FieldError(where + ".operator", "must be one of " + java.util.Arrays.stream(Operator.values()).map(Operator::apiName).toList()));
            }
            List<JsonNode> values = new ArrayList<>();
            if (n.path("values").isArray()) {
                n.get("values").forEach(values::add);
            } else if (n.has("value")) {
                values.add(n.get("value"));
            }
            conditions.add(new Condition(field, op, values));
        }
        if (!errors.isEmpty()) {
            throw new ValidationException("Invalid criteria", errors);
        }
        return Criteria.of(conditions, text(c, "pattern"));
    }

    // ------------------------------------------------------------------ rendering

    /** The normalized JSON form that is stored and shown. */
    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("name", name);
        if (description != null) {
            o.put("description", description);
        }
        o.put("module", module);
        ObjectNode t = o.putObject("trigger");
        t.put("type", trigger.type().name().toLowerCase(Locale.ROOT));
        if (trigger.type() == TriggerType.FIELD_UPDATE) {
            ArrayNode f = t.putArray("fields");
            trigger.fields().forEach(f::add);
        }
        if (trigger.type() == TriggerType.DATE) {
            t.put("field", trigger.dateField());
            t.set("offset", offsetJson(trigger.offset()));
            t.put("time", trigger.time().toString());
            t.put("recurrence", trigger.recurrence().name().toLowerCase(Locale.ROOT));
        }
        ArrayNode rules = o.putArray("rules");
        branches.forEach(b -> rules.add(branchJson(b)));
        if (otherwise != null) {
            o.set("otherwise", branchJson(otherwise));
        }
        return o;
    }

    private static ObjectNode offsetJson(Offset off) {
        ObjectNode o = Json.object();
        o.put("amount", off.amount());
        o.put("unit", off.unit().name().toLowerCase(Locale.ROOT));
        o.put("direction", off.before() ? "before" : "after");
        return o;
    }

    private static ObjectNode branchJson(Branch b) {
        ObjectNode o = Json.object();
        if (b.name() != null) {
            o.put("name", b.name());
        }
        if (b.criteria() != null) {
            ObjectNode c = o.putObject("criteria");
            ArrayNode conds = c.putArray("conditions");
            for (Condition cond : b.criteria().conditions()) {
                ObjectNode x = conds.addObject();
                x.put("field", cond.field());
                x.put("operator", cond.operator().apiName());
                ArrayNode v = x.putArray("values");
                cond.values().forEach(v::add);
            }
            if (b.criteria().pattern() != null) {
                c.put("pattern", b.criteria().pattern());
            }
        }
        o.set("actions", ActionCatalog.toJson(b.actions()));
        if (!b.scheduled().isEmpty()) {
            ArrayNode s = o.putArray("scheduled");
            for (Scheduled g : b.scheduled()) {
                ObjectNode x = s.addObject();
                x.set("offset", offsetJson(g.offset()));
                x.put("from", g.fromField() == null ? "trigger" : g.fromField());
                x.put("time", g.time().toString());
                x.set("actions", ActionCatalog.toJson(g.actions()));
            }
        }
        return o;
    }

    /** A rule key for timers: {@code wf:<rule>:<record>:<what>}. */
    static String timerKey(UUID rule, UUID record, String what) {
        return "wf:" + rule + ":" + record + ":" + what;
    }

    /** Whether a field is a date (not a date-time). */
    static boolean isDate(Module m, String field) {
        return m.field(field).map(f -> f.type() == FieldType.DATE).orElse(false);
    }
}
