package io.waymark.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.action.ActionCatalog;
import io.waymark.action.ActionDefinition;
import io.waymark.criteria.CompiledCriteria;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.record.Field;
import io.waymark.record.Module;
import io.waymark.record.ModuleCatalog;
import io.waymark.workflow.RuleDefinition;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * An approval process: which records of a module need approval (on create and/or edit, matching
 * criteria), by whom (steps in sequence, each any one / all / k of n of its approvers), what stays
 * editable while the record is locked, what happens when a step is not answered in time, and the
 * actions on final approval and on rejection.
 *
 * <pre>{@code
 * {"name": "Discount over 12%", "module": "Trips", "trigger": ["create", "edit"],
 *  "criteria": "(Discount:greater_than:12)",
 *  "steps": [{"approvers": [{"type": "manager"}], "mode": "any",
 *             "escalation": {"after": "PT48H", "then": "manager", "actions": [...]}},
 *            {"approvers": [{"type": "levels_up", "levels": 2}, {"type": "group", "id": "..."}], "mode": "k_of_n", "k": 2}],
 *  "editable_fields": ["Hotel"],
 *  "on_approval": [{"type": "field_update", "config": {...}}], "on_rejection": [...]}
 * }</pre>
 *
 * Approver types: {@code user}, {@code role}, {@code group} (with {@code id}), {@code manager} (the
 * users in the role above the record owner's), {@code levels_up} (N roles above). Escalation
 * {@code then}: {@code notify} (only the actions), {@code manager} (the managers of the approvers
 * who have not answered join the step), {@code approve} or {@code reject} (decided for them).
 */
public record ApprovalProcess(String name, String module, boolean onCreate, boolean onEdit, CompiledCriteria criteria, List<Step> steps,
                              Set<String> editableFields, List<ActionDefinition> onApproval, List<ActionDefinition> onRejection,
                              ObjectNode json) {

    /** Who approves: a kind and, for users, roles and groups, an id; for {@code levels_up}, how many levels. */
    public record Approver(String type, UUID id, int levels) {
        static final Set<String> TYPES = Set.of("user", "role", "group", "manager", "levels_up");
    }

    /** When a step is not answered in time. */
    public record Escalation(Duration after, String then, List<ActionDefinition> actions) {
        static final Set<String> THEN = Set.of("notify", "manager", "approve", "reject");
    }

    /** One step: its approvers and how many of them must approve. */
    public record Step(int index, List<Approver> approvers, String mode, int k, Escalation escalation) {
    }

    private static final Set<String> TOP = Set.of("name", "module", "trigger", "criteria", "steps", "editable_fields", "on_approval", "on_rejection");

    public static ApprovalProcess parse(Actor actor, ModuleCatalog catalog, ActionCatalog actions, JsonNode body, boolean check) {
        List<FieldError> errors = new ArrayList<>();
        if (body == null || !body.isObject()) {
            throw new ValidationException("A JSON object is required", List.of(new FieldError("body", "must be a JSON object")));
        }
        unknown(body, TOP, "", errors);
        String name = text(body, "name");
        if (name == null || name.isBlank() || name.length() > 100) {
            errors.add(new FieldError("name", "is required: 1 to 100 characters"));
        }
        String moduleName = text(body, "module");
        Module module = moduleName == null ? null : catalog.find(moduleName).orElse(null);
        if (module == null) {
            throw new ValidationException("Invalid module", List.of(new FieldError("module", moduleName == null ? "is required" : "unknown module " + moduleName)));
        }
        boolean onCreate = false;
        boolean onEdit = false;
        JsonNode trigger = body.get("trigger");
        if (trigger == null || !trigger.isArray() || trigger.isEmpty()) {
            errors.add(new FieldError("trigger", "is required: [\"create\"], [\"edit\"] or both"));
        } else {
            for (JsonNode t : trigger) {
                if ("create".equals(t.asText())) {
                    onCreate = true;
                } else if ("edit".equals(t.asText())) {
                    onEdit = true;
                } else {
                    errors.add(new FieldError("trigger", "'" + t.asText() + "' is neither create nor edit"));
                }
            }
        }
        CompiledCriteria criteria = null;
        if (body.hasNonNull("criteria")) {
            try {
                criteria = CompiledCriteria.compile(RuleDefinition.criteria(body.get("criteria")), module, false);
            } catch (ValidationException e) {
                e.errors().forEach(fe -> errors.add(new FieldError("criteria" + (fe.field().isEmpty() ? "" : "." + fe.field()), fe.message())));
                if (e.errors().isEmpty()) {
                    errors.add(new FieldError("criteria", e.getMessage()));
                }
            }
        }
        List<Step> steps = new ArrayList<>();
        JsonNode ss = body.get("steps");
        if (ss == null || !ss.isArray() || ss.isEmpty() || ss.size() > 10) {
            errors.add(new FieldError("steps", "is required: 1 to 10 steps of approvers"));
        } else {
            for (int i = 0; i < ss.size(); i++) {
                steps.add(step(actor, module, actions, ss.get(i), i, check, errors));
            }
        }
        Set<String> editable = new LinkedHashSet<>();
        JsonNode ef = body.get("editable_fields");
        if (ef != null && !ef.isNull()) {
            if (!ef.isArray()) {
                errors.add(new FieldError("editable_fields", "must be a list of field names"));
            } else {
                for (int i = 0; i < ef.size(); i++) {
                    Field f = module.field(ef.get(i).asText()).orElse(null);
                    if (f == null || f.deleted()) {
                        errors.add(new FieldError("editable_fields[" + i + "]", "unknown field in module " + module.apiName()));
                    } else {
                        editable.add(f.apiName());
                    }
                }
            }
        }
        List<ActionDefinition> onApproval = actions(actor, module, actions, body.get("on_approval"), "on_approval", check, errors);
        List<ActionDefinition> onRejection = actions(actor, module, actions, body.get("on_rejection"), "on_rejection", check, errors);
        if (!errors.isEmpty()) {
            throw new ValidationException(errors.size() == 1 ? errors.get(0).field() + " " + errors.get(0).message()
                    : errors.size() + " properties are invalid", errors);
        }
        ObjectNode json = ((ObjectNode) body).deepCopy();
        json.put("module", module.apiName());
        return new ApprovalProcess(name, module.apiName(), onCreate, onEdit, criteria, List.copyOf(steps), Set.copyOf(editable), onApproval,
                onRejection, json);
    }

    private static Step step(Actor actor, Module module, ActionCatalog actions, JsonNode s, int i, boolean check, List<FieldError> errors) {
        String path = "steps[" + i + "]";
        unknown(s, Set.of("name", "approvers", "mode", "k", "escalation"), path + ".", errors);
        List<Approver> approvers = new ArrayList<>();
        JsonNode as = s.get("approvers");
        if (as == null || !as.isArray() || as.isEmpty()) {
            errors.add(new FieldError(path + ".approvers", "is required: at least one approver"));
        } else {
            for (int j = 0; j < as.size(); j++) {
                String where = path + ".approvers[" + j + "]";
                JsonNode a = as.get(j);
                String type = text(a, "type");
                if (type == null || !Approver.TYPES.contains(type)) {
                    errors.add(new FieldError(where + ".type", "must be one of " + new TreeSet<>(Approver.TYPES)));
                    continue;
                }
                UUID id = null;
                int levels = 0;
                if (Set.of("user", "role", "group").contains(type)) {
                    id = a.path("id").isTextual() ? Ids.parse(a.get("id").textValue()) : null;
                    if (id == null) {
                        errors.add(new FieldError(where + ".id", "is required: the id of the " + type));
                        continue;
                    }
                } else if (type.equals("levels_up")) {
                    levels = a.path("levels").asInt(0);
                    if (!a.path("levels").isIntegralNumber() || levels < 1 || levels > 10) {
                        errors.add(new FieldError(where + ".levels", "must be a whole number from 1 to 10"));
                        continue;
                    }
                } else {
                    levels = 1;
                }
                approvers.add(new Approver(type, id, levels));
            }
        }
        String mode = s.hasNonNull("mode") ? text(s, "mode") : "any";
        int k = 1;
        if (mode == null || !Set.of("any", "all", "k_of_n").contains(mode)) {
            errors.add(new FieldError(path + ".mode", "must be any, all or k_of_n"));
        } else if (mode.equals("k_of_n")) {
            k = s.path("k").asInt(0);
            if (!s.path("k").isIntegralNumber() || k < 1 || k > 50) {
                errors.add(new FieldError(path + ".k", "is required for k_of_n: how many must approve, 1 to 50"));
            }
        }
        Escalation escalation = null;
        JsonNode e = s.get("escalation");
        if (e != null && !e.isNull()) {
            unknown(e, Set.of("after", "then", "actions"), path + ".escalation.", errors);
            Duration after = null;
            try {
                after = e.path("after").isTextual() ? Duration.parse(e.get("after").textValue()) : null;
            } catch (DateTimeParseException x) {
                after = null;
            }
            if (after == null || after.isNegative() || after.isZero()) {
                errors.add(new FieldError(path + ".escalation.after", "must be a positive ISO-8601 duration, e.g. PT48H"));
            }
            String then = e.hasNonNull("then") ? text(e, "then") : "notify";
            if (then == null || !Escalation.THEN.contains(then)) {
                errors.add(new FieldError(path + ".escalation.then", "must be one of " + new TreeSet<>(Escalation.THEN)));
            }
            List<ActionDefinition> acts = actions(actor, module, actions, e.get("actions"), path + ".escalation.actions", check, errors);
            if ("notify".equals(then) && acts.isEmpty()) {
                errors.add(new FieldError(path + ".escalation.actions", "is required when the escalation only notifies"));
            }
            escalation = new Escalation(after, then, acts);
        }
        return new Step(i, List.copyOf(approvers), mode == null ? "any" : mode, k, escalation);
    }

    private static List<ActionDefinition> actions(Actor actor, Module module, ActionCatalog actions, JsonNode list, String path, boolean check,
                                                  List<FieldError> errors) {
        if (list == null || list.isNull()) {
            return List.of();
        }
        return check ? actions.parse(actor, module.apiName(), list, path, errors) : ActionCatalog.fromJson(list);
    }

    private static void unknown(JsonNode o, Set<String> known, String prefix, List<FieldError> errors) {
        if (o == null || !o.isObject()) {
            return;
        }
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) {
                errors.add(new FieldError(prefix + k, "unknown property; expected one of " + new TreeSet<>(known)));
            }
        }
    }

    private static String text(JsonNode o, String key) {
        JsonNode n = o == null ? null : o.get(key);
        return n != null && n.isTextual() ? n.textValue() : null;
    }
}
