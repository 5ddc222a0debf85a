package io.waymark.action.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.action.ActionContext;
import io.waymark.action.ActionFailure;
import io.waymark.action.ActionResult;
import io.waymark.action.ActionType;
import io.waymark.action.BatchedActionType;
import io.waymark.action.MergeValues;
import io.waymark.action.TransactionalActionType;
import io.waymark.action.ValueExpression;
import io.waymark.error.FieldError;
import io.waymark.error.NotFoundException;
import io.waymark.error.ValidationException;
import io.waymark.identity.UserDirectory;
import io.waymark.json.Json;
import io.waymark.record.Field;
import io.waymark.record.FieldType;
import io.waymark.record.FieldValues;
import io.waymark.record.Metadata;
import io.waymark.record.Module;
import io.waymark.record.ModuleCatalog;
import io.waymark.record.Record;
import io.waymark.record.Records;
import io.waymark.record.SystemFields;
import io.waymark.signal.Causation;
import io.waymark.signal.NewSignal;
import io.waymark.signal.SignalStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The action kinds built into the engine. Every one changes only Waymark's own database, so each
 * is a {@link TransactionalActionType}: it runs exactly once, inside its outbox entry's transaction.
 *
 * <ul>
 *   <li>{@code field_update} — {@code {"field": "Amount", "value": "Amount * 0.9"}}: a literal, a
 *       text template with merge fields, or arithmetic for numbers and dates ({@link ValueExpression}).</li>
 *   <li>{@code create_record} — {@code {"module": "Deals", "fields": {...}, "link_field": "Contact_Name"}}:
 *       a record in any module, linked to the subject through a lookup when there is one; owned by the
 *       subject's owner unless {@code fields.Owner} names a user.</li>
 *   <li>{@code convert_lead} — {@code {"account": true, "deal": {"Deal_Name": "{{Leads.Company}} trip"}}}.</li>
 *   <li>{@code create_task} — {@code {"subject": "...", "due": "today + 3d", "priority": "High",
 *       "assign_to": "record_owner" | user id, "description": "..."}}.</li>
 *   <li>{@code schedule_call} — {@code {"subject": "...", "at": "now + 1d", "call_type": "Outbound",
 *       "assign_to": ..., "description": "..."}}.</li>
 *   <li>{@code assign_owner} — {@code {"user": "<user id>"}}.</li>
 *   <li>{@code emit_signal} — {@code {"type": "trip.followup_due", "payload": {"note": "{{Deals.Deal_Name}}"}}}.</li>
 * </ul>
 */
public final class BuiltinActions {
    /** Assign to the subject record's owner. */
    public static final String RECORD_OWNER = "record_owner";
    private static final Pattern SIGNAL_TYPE = Pattern.compile("^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*){1,4}$");
    private static final Set<String> RESERVED = Set.of("record", "lead", "action", "timer");

    private final Metadata metadata;
    private final Records records;
    private final SignalStore signals;
    private final UserDirectory users;
    private final Clock clock;

    public BuiltinActions(Metadata metadata, Records records, SignalStore signals, UserDirectory users, Clock clock) {
        this.metadata = metadata;
        this.records = records;
        this.signals = signals;
        this.users = users;
        this.clock = clock;
    }

    /** Every built-in kind. */
    public List<ActionType> all() {
        return List.of(new FieldUpdate(), new CreateRecord(), new ConvertLead(), new CreateTask(), new ScheduleCall(),
                new AssignOwner(), new EmitSignal());
    }

    // ------------------------------------------------------------------ shared

    private static ValidationException invalid(List<FieldError> errors) {
        return new ValidationException(errors.size() == 1 ? errors.get(0).field() + " " + errors.get(0).message()
                : errors.size() + " fields are invalid", errors);
    }

    private static void only(ObjectNode config, Set<String> keys, List<FieldError> errors) {
        for (Iterator<String> it = config.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!keys.contains(k)) {
                errors.add(new FieldError("config." + k, "unknown property; expected one of " + new java.util.TreeSet<>(keys)));
            }
        }
    }

    private Module subjectModule(Actor actor, String module, List<FieldError> errors) {
        if (module == null) {
            errors.add(new FieldError("config", "this action needs a subject record"));
            return null;
        }
        return metadata.catalog(actor.orgId()).find(module).orElse(null);
    }

    /** Checks a value for a field: a literal, a text template or an expression. */
    private void checkValue(ModuleCatalog catalog, Module subject, Field target, JsonNode value, String where, List<FieldError> errors) {
        if (value == null || value.isNull()) {
            if (target.required()) {
                errors.add(new FieldError(where, target.apiName() + " is required and cannot be cleared"));
            }
            return;
        }
        if (value.isTextual() && value.textValue().contains("{{") || value.isTextual() && ValueExpression.applies(target.type())
                && !FieldValues.fromJson(target, value).ok()) {
            String text = value.textValue();
            if (ValueExpression.applies(target.type())) {
                ValueExpression.parse(catalog, subject, text, target, where, errors);
            } else if (target.type().isText()) {
                MergeValues.check(catalog, subject, text, where, errors);
            } else {
                errors.add(new FieldError(where, "merge fields fill text fields only; " + target.apiName() + " is a " + target.type().apiName() + " field"));
            }
            return;
        }
        FieldValues.Result r = FieldValues.fromJson(target, value);
        if (!r.ok()) {
            errors.add(new FieldError(where, r.error()));
        }
    }

    /** The value to write for a field, as JSON, for one subject record. */
    private JsonNode computeValue(Execution x, Field target, JsonNode value) {
        if (value == null || value.isNull()) {
            return Json.MAPPER.nullNode();
        }
        if (value.isTextual() && (value.textValue().contains("{{") || ValueExpression.applies(target.type())
                && !FieldValues.fromJson(target, value).ok())) {
            String text = value.textValue();
            if (ValueExpression.applies(target.type())) {
                List<FieldError> errors = new ArrayList<>();
                ValueExpression e = ValueExpression.parse(x.catalog, x.module, text, target, "value", errors);
                if (e == null) {
                    throw invalid(errors);
                }
                return FieldValues.toJson(e.evaluate(x::resolve, x.now, x.zone, target));
            }
            return TextNode.valueOf(MergeValues.render(x.catalog, x.module, text, x::resolve));
        }
        return value;
    }

    private Record read(ActionContext ctx) throws ActionFailure {
        if (ctx.module() == null || ctx.recordId() == null) {
            throw new ActionFailure("this action needs a subject record", false);
        }
        try {
            return records.get(ctx.actor(), ctx.module(), ctx.recordId());
        } catch (NotFoundException e) {
            throw gone(ctx);
        }
    }

    private static ActionFailure gone(ActionContext ctx) {
        return new ActionFailure("the subject record " + ctx.module() + " " + ctx.recordId() + " no longer exists", false);
    }

    /** One execution's view of its subject: the record and what its merge fields resolve to. */
    private final class Execution {
        final Actor actor;
        final ModuleCatalog catalog;
        final Module module;
        final Record record;
        final Instant now;
        final ZoneId zone;
        final Map<String, Record> related = new HashMap<>();

        Execution(ActionContext ctx) throws ActionFailure {
            this(ctx, read(ctx));
        }

        /** On a subject record already read. */
        Execution(ActionContext ctx, Record record) {
            this.actor = ctx.actor();
            this.catalog = metadata.catalog(actor.orgId());
            this.module = catalog.get(ctx.module());
            this.record = record;
            this.now = ctx.now();
            this.zone = users.timeZone(actor.orgId());
        }

        Object resolve(MergeValues.Ref ref) {
            if (ref.via() == null) {
                Object v = record.value(ref.field());
                return v instanceof UUID u && "Owner".equals(ref.field()) ? users.names(actor.orgId(), List.of(u)).get(u) : v;
            }
            Object id = record.values().get(ref.via());
            if (!(id instanceof UUID u)) {
                return null;
            }
            Record r = related.computeIfAbsent(ref.via(), k -> {
                try {
                    return records.get(actor, ref.module(), u);
                } catch (NotFoundException e) {
                    return null;
                }
            });
            return r == null ? null : r.value(ref.field());
        }

        UUID owner(JsonNode assignTo) throws ActionFailure {
            if (assignTo != null && assignTo.isTextual() && !assignTo.textValue().equals(RECORD_OWNER)) {
                UUID u = UUID.fromString(assignTo.textValue());
                if (users.activeUsers(actor.orgId(), List.of(u)).isEmpty()) {
                    throw new ActionFailure("user " + u + " is no longer an active user", false);
                }
                return u;
            }
            UUID owner = record.owner();
            if (owner == null) {
                throw new ActionFailure(module.apiName() + " " + record.id() + " has no owner to assign to", false);
            }
            return owner;
        }
    }

    private void checkAssignee(Actor actor, JsonNode node, String where, List<FieldError> errors) {
        if (node == null || node.isNull() || node.isTextual() && node.textValue().equals(RECORD_OWNER)) {
            return;
        }
        UUID u = node.isTextual() ? Ids.parse(node.textValue()) : null;
        if (u == null) {
            errors.add(new FieldError(where, "must be \"record_owner\" or the id of a user"));
        } else if (users.activeUsers(actor.orgId(), List.of(u)).isEmpty()) {
            errors.add(new FieldError(where, "no active user has id " + u));
        }
    }

    private static Field lookupTo(Module target, String subjectModule, String named) {
        return target.visibleFields().stream().filter(f -> f.type() == FieldType.LOOKUP && subjectModule.equals(f.lookupModule()))
                .filter(f -> named == null || f.apiName().equals(named)).findFirst().orElse(null);
    }

    private static ActionResult created(Record r) {
        ObjectNode d = Json.object();
        d.put("module", r.module());
        d.put("record_id", r.id().toString());
        return new ActionResult(d);
    }

    // ------------------------------------------------------------------ field_update

    private final class FieldUpdate implements BatchedActionType {
        @Override
        public String name() {
            return "field_update";
        }

        @Override
        public void validate(Actor actor, String module, ObjectNode config) {
            List<FieldError> errors = new ArrayList<>();
            only(config, Set.of("field", "value"), errors);
            Module m = subjectModule(actor, module, errors);
            if (m != null) {
                String name = config.path("field").isTextual() ? config.get("field").textValue() : null;
                Field f = name == null ? null : m.field(name).orElse(null);
                if (name == null) {
                    errors.add(new FieldError("config.field", "is required: the API name of a field of " + module));
                } else if (f == null) {
                    errors.add(new FieldError("config.field", "unknown field '" + name + "' in module " + module));
                } else if (f.readOnly() || f.type() == FieldType.OWNER) {
                    errors.add(new FieldError("config.field", name + (f.type() == FieldType.OWNER ? " is changed with assign_owner" : " is read-only")));
                } else if (!config.has("value")) {
                    errors.add(new FieldError("config.value", "is required (null clears the field)"));
                } else {
                    checkValue(metadata.catalog(actor.orgId()), m, f, config.get("value"), "config.value", errors);
                }
            }
            if (!errors.isEmpty()) {
                throw invalid(errors);
            }
        }

        @Override
        public ActionResult execute(ActionContext ctx) throws Exception {
            Execution x = new Execution(ctx);
            JsonNode value = value(x, ctx);
            ObjectNode in = Json.object();
            in.set(ctx.config().get("field").textValue(), value);
            return result(ctx, records.update(ctx.actor(), ctx.module(), ctx.recordId(), in, null), value);
        }

        /**
         * Many field updates of one module at once ({@link Records#updateEach}): one read of the
         * records, one batched write and one signal append; each entry is refused on its own.
         */
        @Override
        public List<Outcome> executeAll(List<Item> items) {
            ActionContext first = items.get(0).context();
            if (first.module() == null) {
                throw new IllegalArgumentException("field updates need a subject record");
            }
            JsonNode[] values = new JsonNode[items.size()];
            List<Records.Change> changes = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                ActionContext ctx = items.get(i).context();
                int at = i;
                changes.add(new Records.Change(ctx.recordId(), current -> {
                    JsonNode value = value(new Execution(ctx, current), ctx);
                    values[at] = value;
                    ObjectNode in = Json.object();
                    in.set(ctx.config().get("field").textValue(), value);
                    return in;
                }, items.get(i).cause()));
            }
            List<Records.Outcome> done = records.updateEach(first.actor(), first.module(), changes);
            List<Outcome> out = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                Records.Outcome o = done.get(i);
                ActionContext ctx = items.get(i).context();
                if (o.refusal() instanceof NotFoundException) {
                    out.add(new Outcome(null, gone(ctx)));
                } else if (o.refusal() != null) {
                    out.add(new Outcome(null, o.refusal()));
                } else {
                    out.add(new Outcome(result(ctx, o.record(), values[i]), null));
                }
            }
            return out;
        }

        private JsonNode value(Execution x, ActionContext ctx) throws ActionFailure {
            String name = ctx.config().get("field").textValue();
            Field f = x.module.field(name).orElseThrow(() -> new ActionFailure("field " + name + " no longer exists", false));
            return computeValue(x, f, ctx.config().get("value"));
        }

        private ActionResult result(ActionContext ctx, Record updated, JsonNode value) {
            ObjectNode d = Json.object();
            d.put("record_id", updated.id().toString());
            d.put("field", ctx.config().get("field").textValue());
            d.set("value", value);
            d.put("version", updated.version());
            return new ActionResult(d);
        }
    }

    // ------------------------------------------------------------------ create_record

    private void checkFields(Actor actor, Module subject, Module target, JsonNode fields, String where, List<FieldError> errors) {
        if (fields == null || fields.isNull()) {
            return;
        }
        if (!fields.isObject()) {
            errors.add(new FieldError(where, "must be an object of field API names to values"));
            return;
        }
        ModuleCatalog catalog = metadata.catalog(actor.orgId());
        for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Field f = target.field(e.getKey()).orElse(null);
            if (f == null) {
                errors.add(new FieldError(where + "." + e.getKey(), "unknown field in module " + target.apiName()));
            } else if (f.type() == FieldType.OWNER) {
                checkAssignee(actor, e.getValue(), where + "." + e.getKey(), errors);
            } else if (f.readOnly()) {
                errors.add(new FieldError(where + "." + e.getKey(), "is read-only"));
            } else {
                checkValue(catalog, subject, f, e.getValue(), where + "." + e.getKey(), errors);
            }
        }
    }

    private Record create(Execution x, Module target, JsonNode fields, Field link, ObjectNode extra) throws ActionFailure {
        ObjectNode in = Json.object();
        if (fields != null && fields.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Field f = target.field(e.getKey()).orElse(null);
                if (f == null) {
                    throw new ActionFailure("field " + e.getKey() + " no longer exists in " + target.apiName(), false);
                }
                in.set(e.getKey(), f.type() == FieldType.OWNER ? TextNode.valueOf(x.owner(e.getValue()).toString()) : computeValue(x, f, e.getValue()));
            }
        }
        if (extra != null) {
            in.setAll(extra);
        }
        if (!in.has("Owner") && target.field("Owner").isPresent()) {
            in.put("Owner", x.owner(null).toString());
        }
        if (link != null && !in.has(link.apiName())) {
            in.put(link.apiName(), x.record.id().toString());
        }
        return records.create(x.actor, target.apiName(), in, io.waymark.record.CreationSource.AUTOMATION);
    }

    private final class CreateRecord implements TransactionalActionType {
        @Override
        public String name() {
            return "create_record";
        }

        @Override
        public void validate(Actor actor, String module, ObjectNode config) {
            List<FieldError> errors = new ArrayList<>();
            only(config, Set.of("module", "fields", "link_field"), errors);
            Module subject = subjectModule(actor, module, errors);
            String name = config.path("module").isTextual() ? config.get("module").textValue() : null;
            Module target = name == null ? null : metadata.catalog(actor.orgId()).find(name).orElse(null);
            if (target == null) {
                errors.add(new FieldError("config.module", name == null ? "is required" : "unknown module '" + name + "'"));
            } else {
                checkFields(actor, subject, target, config.get("fields"), "config.fields", errors);
                if (config.hasNonNull("link_field") && subject != null
                        && lookupTo(target, subject.apiName(), config.get("link_field").asText()) == null) {
                    errors.add(new FieldError("config.link_field", target.apiName() + " has no lookup to " + subject.apiName() + " named " + config.get("link_field").asText()));
                }
                for (Field f : target.visibleFields()) {
                    boolean given = config.path("fields").has(f.apiName());
                    boolean linked = subject != null && f.type() == FieldType.LOOKUP && subject.apiName().equals(f.lookupModule());
                    if (f.required() && !given && !linked && f.defaultValue() == null) {
                        errors.add(new FieldError("config.fields." + f.apiName(), "is required in " + target.apiName()));
                    }
                }
            }
            if (!errors.isEmpty()) {
                throw invalid(errors);
            }
        }

        @Override
        public ActionResult execute(ActionContext ctx) throws Exception {
            Execution x = new Execution(ctx);
            Module target = x.catalog.find(ctx.config().get("module").asText())
                    .orElseThrow(() -> new ActionFailure("module " + ctx.config().get("module").asText() + " no longer exists", false));
            String linkName = ctx.config().hasNonNull("link_field") ? ctx.config().get("link_field").asText() : null;
            return created(create(x, target, ctx.config().get("fields"), lookupTo(target, x.module.apiName(), linkName), null));
        }
    }

    // ------------------------------------------------------------------ convert_lead

    private final class ConvertLead implements TransactionalActionType {
        @Override
        public String name() {
            return "convert_lead";
        }

        @Override
        public void validate(Actor actor, String module, ObjectNode config) {
            List<FieldError> errors = new ArrayList<>();
            only(config, Set.of("account", "deal"), errors);
            if (!"Leads".equals(module)) {
                errors.add(new FieldError("config", "converts leads only; the subject module is " + module));
            } else {
                JsonNode acc = config.get("account");
                if (acc != null && !acc.isBoolean()) {
                    errors.add(new FieldError("config.account", "must be true (create one from the lead's Company) or false"));
                }
                JsonNode deal = config.get("deal");
                if (deal != null && !deal.isNull()) {
                    ModuleCatalog catalog = metadata.catalog(actor.orgId());
                    Module deals = catalog.get("Deals");
                    checkFields(actor, catalog.get("Leads"), deals, deal, "config.deal", errors);
                    if (deal.isObject() && !deal.has("Deal_Name")) {
                        errors.add(new FieldError("config.deal.Deal_Name", "is required to create a deal"));
                    }
                }
            }
            if (!errors.isEmpty()) {
                throw invalid(errors);
            }
        }

        @Override
        public ActionResult execute(ActionContext ctx) throws Exception {
            Execution x = new Execution(ctx);
            if (Boolean.TRUE.equals(x.record.values().get("Is_Converted"))) {
                throw new ActionFailure("the lead was already converted", false);
            }
            ObjectNode options = Json.object();
            if (ctx.config().has("account")) {
                options.put("account", ctx.config().get("account").asBoolean());
            }
            JsonNode deal = ctx.config().get("deal");
            if (deal != null && deal.isObject()) {
                Module deals = x.catalog.get("Deals");
                ObjectNode d = options.putObject("deal");
                for (Iterator<Map.Entry<String, JsonNode>> it = deal.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    Field f = deals.field(e.getKey()).orElseThrow(() -> new ActionFailure("Deals has no field " + e.getKey(), false));
                    d.set(e.getKey(), computeValue(x, f, e.getValue()));
                }
            }
            Records.Conversion c = records.convertLead(ctx.actor(), ctx.recordId(), options);
            ObjectNode out = Json.object();
            out.put("contact_id", c.contact().id().toString());
            out.put("account_id", c.account() == null ? null : c.account().id().toString());
            out.put("deal_id", c.deal() == null ? null : c.deal().id().toString());
            return new ActionResult(out);
        }
    }

    // ------------------------------------------------------------------ create_task / schedule_call

    private abstract class Activity implements TransactionalActionType {
        abstract String targetModule();

        abstract String timeKey();

        abstract String timeField();

        abstract Map<String, String> picklists();

        @Override
        public void validate(Actor actor, String module, ObjectNode config) {
            List<FieldError> errors = new ArrayList<>();
            Set<String> keys = new java.util.HashSet<>(Set.of("subject", "assign_to", "description", timeKey()));
            keys.addAll(picklists().keySet());
            only(config, keys, errors);
            Module subject = subjectModule(actor, module, errors);
            Module target = metadata.catalog(actor.orgId()).find(targetModule()).orElse(null);
            if (target == null) {
                errors.add(new FieldError("config", "module " + targetModule() + " does not exist"));
            } else {
                ObjectNode fields = fields(config);
                if (!config.path("subject").isTextual() || config.get("subject").textValue().isBlank()) {
                    errors.add(new FieldError("config.subject", "is required"));
                }
                List<FieldError> inner = new ArrayList<>();
                checkFields(actor, subject, target, fields, "config", inner);
                for (FieldError e : inner) {
                    errors.add(new FieldError(rename(e.field()), e.message()));
                }
                checkAssignee(actor, config.get("assign_to"), "config.assign_to", errors);
            }
            if (!errors.isEmpty()) {
                throw invalid(errors);
            }
        }

        private String rename(String field) {
            String f = field.substring("config.".length());
            if (f.equals("Subject")) {
                return "config.subject";
            }
            if (f.equals("Description")) {
                return "config.description";
            }
            if (f.equals(timeField())) {
                return "config." + timeKey();
            }
            for (Map.Entry<String, String> e : picklists().entrySet()) {
                if (e.getValue().equals(f)) {
                    return "config." + e.getKey();
                }
            }
            return field;
        }

        ObjectNode fields(ObjectNode config) {
            ObjectNode f = Json.object();
            f.set("Subject", config.get("subject"));
            if (config.has("description")) {
                f.set("Description", config.get("description"));
            }
            if (config.has(timeKey())) {
                f.set(timeField(), config.get(timeKey()));
            }
            picklists().forEach((k, field) -> {
                if (config.has(k)) {
                    f.set(field, config.get(k));
                }
            });
            return f;
        }

        @Override
        public ActionResult execute(ActionContext ctx) throws Exception {
            Execution x = new Execution(ctx);
            Module target = x.catalog.get(targetModule());
            ObjectNode owner = Json.object();
            owner.put("Owner", x.owner(ctx.config().get("assign_to")).toString());
            return created(create(x, target, fields(ctx.config()), lookupTo(target, x.module.apiName(), null), owner));
        }
    }

    private final class CreateTask extends Activity {
        @Override
        public String name() {
            return "create_task";
        }

        @Override
        String targetModule() {
            return "Tasks";
        }

        @Override
        String timeKey() {
            return "due";
        }

        @Override
        String timeField() {
            return "Due_Date";
        }

        @Override
        Map<String, String> picklists() {
            return Map.of("priority", "Priority", "status", "Status");
        }
    }

    private final class ScheduleCall extends Activity {
        @Override
        public String name() {
            return "schedule_call";
        }

        @Override
        String targetModule() {
            return "Calls";
        }

        @Override
        String timeKey() {
            return "at";
        }

        @Override
        String timeField() {
            return "Call_Start_Time";
        }

        @Override
        Map<String, String> picklists() {
            return Map.of("call_type", "Call_Type");
        }

        @Override
        ObjectNode fields(ObjectNode config) {
            ObjectNode f = super.fields(config);
            if (!f.has("Call_Type")) {
                f.put("Call_Type", "Outbound");
            }
            return f;
        }
    }

    // ------------------------------------------------------------------ assign_owner

    private final class AssignOwner implements TransactionalActionType {
        @Override
        public String name() {
            return "assign_owner";
        }

        @Override
        public void validate(Actor actor, String module, ObjectNode config) {
            List<FieldError> errors = new ArrayList<>();
            only(config, Set.of("user"), errors);
            Module m = subjectModule(actor, module, errors);
            if (m != null && m.field("Owner").isEmpty()) {
                errors.add(new FieldError("config", module + " records have no owner"));
            }
            JsonNode u = config.get("user");
            if (u == null || u.isNull() || u.isTextual() && u.textValue().equals(RECORD_OWNER)) {
                errors.add(new FieldError("config.user", "is required: the id of a user"));
            } else {
                checkAssignee(actor, u, "config.user", errors);
            }
            if (!errors.isEmpty()) {
                throw invalid(errors);
            }
        }

        @Override
        public ActionResult execute(ActionContext ctx) throws Exception {
            Execution x = new Execution(ctx);
            UUID user = x.owner(ctx.config().get("user"));
            ObjectNode in = Json.object();
            in.put("Owner", user.toString());
            Record r = records.update(ctx.actor(), ctx.module(), ctx.recordId(), in, null);
            ObjectNode d = Json.object();
            d.put("record_id", r.id().toString());
            d.put("owner", user.toString());
            return new ActionResult(d);
        }
    }

    // ------------------------------------------------------------------ emit_signal

    private final class EmitSignal implements TransactionalActionType {
        @Override
        public String name() {
            return "emit_signal";
        }

        @Override
        public void validate(Actor actor, String module, ObjectNode config) {
            List<FieldError> errors = new ArrayList<>();
            only(config, Set.of("type", "payload"), errors);
            Module m = subjectModule(actor, module, errors);
            String type = config.path("type").isTextual() ? config.get("type").textValue() : null;
            if (type == null || type.length() > 100 || !SIGNAL_TYPE.matcher(type).matches()) {
                errors.add(new FieldError("config.type", "is required: lower-case words joined by dots, e.g. trip.followup_due"));
            } else if (RESERVED.contains(type.substring(0, type.indexOf('.')))) {
                errors.add(new FieldError("config.type", "'" + type + "' is reserved for signals Waymark emits itself"));
            }
            JsonNode p = config.get("payload");
            if (p != null && !p.isNull()) {
                if (!p.isObject()) {
                    errors.add(new FieldError("config.payload", "must be an object"));
                } else if (m != null) {
                    for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> e = it.next();
                        if (e.getValue().isTextual()) {
                            MergeValues.check(metadata.catalog(actor.orgId()), m, e.getValue().textValue(), "config.payload." + e.getKey(), errors);
                        }
                    }
                }
            }
            if (!errors.isEmpty()) {
                throw invalid(errors);
            }
        }

        @Override
        public ActionResult execute(ActionContext ctx) throws Exception {
            Execution x = new Execution(ctx);
            ObjectNode payload = Json.object();
            JsonNode p = ctx.config().get("payload");
            if (p != null && p.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    payload.set(e.getKey(), e.getValue().isTextual()
                            ? TextNode.valueOf(MergeValues.render(x.catalog, x.module, e.getValue().textValue(), x::resolve)) : e.getValue());
                }
            }
            UUID id = Ids.next(clock);
            signals.append(List.of(new NewSignal(id, ctx.actor().orgId(), ctx.config().get("type").asText(), x.record.subject(),
                    x.module.apiName(), x.record.id(), Causation.stamp(payload), ctx.now(), ctx.actor().userId())));
            ObjectNode d = Json.object();
            d.put("signal_id", id.toString());
            return new ActionResult(d);
        }
    }
}
