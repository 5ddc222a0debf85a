package io.waymark.wizard;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.criteria.CompiledCriteria;
import io.waymark.criteria.Criteria;
import io.waymark.criteria.CriteriaJson;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.record.Field;
import io.waymark.record.FieldValues;
import io.waymark.record.Layout;
import io.waymark.record.Module;
import io.waymark.record.ModuleCatalog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A wizard definition, checked against its module and layout. The JSON form:
 *
 * <pre>{@code
 * {"name": "New traveller", "module": "Leads", "layout": "Standard", "mode": "create",
 *  "screens": [
 *    {"id": "contact", "title": "Contact details", "buttons": ["next", "save_draft"],
 *     "sections": [{"name": "Who", "fields": ["First_Name", "Last_Name", "Email"]},
 *                  {"name": "Company", "hidden": true, "fields": [{"field": "Company", "required": true}]}]},
 *    {"id": "interests", "title": "Travel interests", "buttons": ["previous", "save", "save_draft"],
 *     "sections": [{"name": "Trip", "fields": ["Destination", "Travel_Month"]}]}],
 *  "rules": [
 *    {"name": "Business travellers", "on": "both",
 *     "criteria": {"conditions": [{"field": "Lead_Source", "operator": "equals", "value": "Partner"}]},
 *     "actions": [{"type": "show", "sections": ["Company"]},
 *                 {"type": "set", "field": "Rating", "value": "Hot"},
 *                 {"type": "lock", "fields": ["Lead_Source"], "exempt_profiles": ["Administrator"]}]}]}
 * }</pre>
 *
 * Every field must exist on the module and on the wizard's layout; a field appears on one screen
 * only; every field the layout requires must be on some screen (else the final save could never
 * succeed); the last screen offers {@code save}; {@code next} is not offered on the last screen
 * nor {@code previous} on the first.
 */
final class WizardDefinition {
    static final Set<String> BUTTONS = Set.of("next", "previous", "save", "save_draft");
    static final Set<String> RULE_ACTIONS = Set.of("show", "hide", "set", "lock");
    static final int MAX_SCREENS = 30;

    record FieldRef(String field, boolean hidden, boolean required) {
    }

    record Section(String name, boolean hidden, List<FieldRef> fields) {
    }

    record Screen(String id, String title, List<Section> sections, List<String> buttons) {
    }

    record Rule(String name, String on, CompiledCriteria criteria, List<JsonNode> actions) {
        boolean appliesTo(boolean create) {
            return on.equals("both") || on.equals(create ? "create" : "edit");
        }
    }

    final String name;
    final Module module;
    final Layout layout;
    final String mode;
    final List<Screen> screens;
    final List<Rule> rules;

    private WizardDefinition(String name, Module module, Layout layout, String mode, List<Screen> screens, List<Rule> rules) {
        this.name = name;
        this.module = module;
        this.layout = layout;
        this.mode = mode;
        this.screens = screens;
        this.rules = rules;
    }

    /** The screen index of each field. */
    Map<String, Integer> screenOf() {
        Map<String, Integer> out = new HashMap<>();
        for (int i = 0; i < screens.size(); i++) {
            for (Section s : screens.get(i).sections()) {
                for (FieldRef f : s.fields()) {
                    out.put(f.field(), i);
                }
            }
        }
        return out;
    }

    static WizardDefinition parse(JsonNode body, ModuleCatalog catalog) {
        List<FieldError> errors = new ArrayList<>();
        if (body == null || !body.isObject()) {
            throw new ValidationException("Invalid wizard", List.of(new FieldError("body", "must be a JSON object")));
        }
        allowOnly(body, "", Set.of("name", "description", "module", "layout", "mode", "screens", "rules"), errors);
        String name = text(body, "name", errors);
        if (name != null && name.length() > 200) {
            errors.add(new FieldError("name", "must be at most 200 characters"));
        }
        String moduleName = text(body, "module", errors);
        Module module = moduleName == null ? null : catalog.find(moduleName).orElse(null);
        if (moduleName != null && module == null) {
            errors.add(new FieldError("module", "no module named '" + moduleName + "'"));
        }
        String mode = body.path("mode").asText("both");
        if (!Set.of("create", "edit", "both").contains(mode)) {
            errors.add(new FieldError("mode", "must be create, edit or both"));
        }
        if (module == null) {
            throw invalid(errors);
        }
        Layout layout = module.defaultLayout();
        if (body.hasNonNull("layout")) {
            layout = module.layout(body.get("layout").asText()).orElse(null);
            if (layout == null) {
                errors.add(new FieldError("layout", module.apiName() + " has no layout '" + body.get("layout").asText() + "'; expected one of "
                        + module.layouts().stream().map(Layout::name).toList()));
                throw invalid(errors);
            }
        }
        List<Screen> screens = new ArrayList<>();
        Set<String> sectionNames = new HashSet<>();
        Map<String, String> placed = new LinkedHashMap<>();
        JsonNode ss = body.get("screens");
        if (ss == null || !ss.isArray() || ss.isEmpty()) {
            errors.add(new FieldError("screens", "must be a non-empty array"));
        } else if (ss.size() > MAX_SCREENS) {
            errors.add(new FieldError("screens", "at most " + MAX_SCREENS + " screens"));
        } else {
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < ss.size(); i++) {
                JsonNode s = ss.get(i);
                String sp = "screens[" + i + "]";
                if (!s.isObject()) {
                    errors.add(new FieldError(sp, "must be an object"));
                    continue;
                }
                allowOnly(s, sp + ".", Set.of("id", "title", "sections", "buttons"), errors);
                String id = s.path("id").isTextual() && !s.get("id").asText().isBlank() ? s.get("id").asText() : null;
                if (id == null) {
                    errors.add(new FieldError(sp + ".id", "is required"));
                } else if (!ids.add(id)) {
                    errors.add(new FieldError(sp + ".id", "another screen has id '" + id + "'"));
                }
                List<Section> sections = new ArrayList<>();
                JsonNode secs = s.get("sections");
                if (secs == null || !secs.isArray() || secs.isEmpty()) {
                    errors.add(new FieldError(sp + ".sections", "must be a non-empty array"));
                } else {
                    for (int j = 0; j < secs.size(); j++) {
                        JsonNode sec = secs.get(j);
                        String secp = sp + ".sections[" + j + "]";
                        allowOnly(sec, secp + ".", Set.of("name", "hidden", "fields"), errors);
                        String sname = sec.path("name").asText("");
                        if (sname.isBlank()) {
                            errors.add(new FieldError(secp + ".name", "is required"));
                        } else if (!sectionNames.add(sname)) {
                            errors.add(new FieldError(secp + ".name", "another section is named '" + sname + "'"));
                        }
                        List<FieldRef> refs = new ArrayList<>();
                        JsonNode fs = sec.get("fields");
                        if (fs == null || !fs.isArray() || fs.isEmpty()) {
                            errors.add(new FieldError(secp + ".fields", "must be a non-empty array"));
                        } else {
                            for (int k = 0; k < fs.size(); k++) {
                                JsonNode f = fs.get(k);
                                String fp = secp + ".fields[" + k + "]";
                                String fname = f.isTextual() ? f.textValue() : f.path("field").asText(null);
                                if (f.isObject()) {
                                    allowOnly(f, fp + ".", Set.of("field", "hidden", "required"), errors);
                                }
                                Field field = fname == null ? null : module.field(fname).orElse(null);
                                if (fname == null) {
                                    errors.add(new FieldError(fp, "must be a field API name or {field, hidden, required}"));
                                } else if (field == null) {
                                    errors.add(new FieldError(fp, module.apiName() + " has no field " + fname));
                                } else if (field.readOnly()) {
                                    errors.add(new FieldError(fp, fname + " is read-only"));
                                } else if (!layout.contains(fname) && !fname.equals("Owner")) {
                                    errors.add(new FieldError(fp, fname + " is not on layout " + layout.name()));
                                } else if (placed.containsKey(fname)) {
                                    errors.add(new FieldError(fp, fname + " is already on " + placed.get(fname)));
                                } else {
                                    placed.put(fname, fp);
                                    refs.add(new FieldRef(fname, f.path("hidden").asBoolean(false), f.path("required").asBoolean(false)));
                                }
                            }
                        }
                        sections.add(new Section(sname, sec.path("hidden").asBoolean(false), refs));
                    }
                }
                List<String> buttons = new ArrayList<>();
                JsonNode bs = s.get("buttons");
                if (bs == null || !bs.isArray() || bs.isEmpty()) {
                    errors.add(new FieldError(sp + ".buttons", "must be a non-empty array of " + new TreeSet<>(BUTTONS)));
                } else {
                    for (int j = 0; j < bs.size(); j++) {
                        String b = bs.get(j).asText();
                        if (!BUTTONS.contains(b)) {
                            errors.add(new FieldError(sp + ".buttons[" + j + "]", "must be one of " + new TreeSet<>(BUTTONS)));
                        } else {
                            buttons.add(b);
                        }
                    }
                }
                boolean last = i == ss.size() - 1;
                if (last && !buttons.contains("save")) {
                    errors.add(new FieldError(sp + ".buttons", "the last screen must offer save"));
                }
                if (last && buttons.contains("next")) {
                    errors.add(new FieldError(sp + ".buttons", "the last screen has no next screen"));
                }
                if (!last && !buttons.contains("next")) {
                    errors.add(new FieldError(sp + ".buttons", "a screen before the last must offer next"));
                }
                if (i == 0 && buttons.contains("previous")) {
                    errors.add(new FieldError(sp + ".buttons", "the first screen has no previous screen"));
                }
                screens.add(new Screen(id, s.path("title").asText(id), sections, buttons));
            }
            if (!mode.equals("edit")) {
                for (Field f : module.visibleFields()) {
                    if (f.required() && layout.contains(f.apiName()) && !placed.containsKey(f.apiName()) && f.defaultValue() == null) {
                        errors.add(new FieldError("screens", f.apiName() + " is required on layout " + layout.name()
                                + " but on no screen, so a new record could never be saved"));
                    }
                }
            }
        }
        List<Rule> rules = new ArrayList<>();
        JsonNode rs = body.get("rules");
        if (rs != null && !rs.isArray()) {
            errors.add(new FieldError("rules", "must be an array"));
        } else if (rs != null) {
            for (int i = 0; i < rs.size(); i++) {
                JsonNode r = rs.get(i);
                String rp = "rules[" + i + "]";
                allowOnly(r, rp + ".", Set.of("name", "on", "criteria", "actions"), errors);
                String on = r.path("on").asText("both");
                if (!Set.of("create", "edit", "both").contains(on)) {
                    errors.add(new FieldError(rp + ".on", "must be create, edit or both"));
                }
                CompiledCriteria compiled = null;
                Criteria c = CriteriaJson.parse(r.get("criteria"), rp + ".criteria", errors);
                if (c != null) {
                    try {
                        compiled = CompiledCriteria.compile(c, module, false);
                    } catch (ValidationException e) {
                        for (FieldError fe : e.errors()) {
                            errors.add(new FieldError(rp + ".criteria." + fe.field(), fe.message()));
                        }
                    }
                }
                List<JsonNode> actions = new ArrayList<>();
                JsonNode as = r.get("actions");
                if (as == null || !as.isArray() || as.isEmpty()) {
                    errors.add(new FieldError(rp + ".actions", "must be a non-empty array"));
                } else {
                    for (int j = 0; j < as.size(); j++) {
                        ruleAction(as.get(j), rp + ".actions[" + j + "]", module, placed.keySet(), sectionNames, errors);
                        actions.add(as.get(j));
                    }
                }
                rules.add(new Rule(r.path("name").asText(rp), on, compiled, actions));
            }
        }
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        return new WizardDefinition(name, module, layout, mode, List.copyOf(screens), List.copyOf(rules));
    }

    private static void ruleAction(JsonNode a, String ap, Module module, Set<String> placed, Set<String> sections, List<FieldError> errors) {
        String type = a.path("type").asText("");
        if (!RULE_ACTIONS.contains(type)) {
            errors.add(new FieldError(ap + ".type", "must be one of " + new TreeSet<>(RULE_ACTIONS)));
            return;
        }
        switch (type) {
            case "set" -> {
                allowOnly(a, ap + ".", Set.of("type", "field", "value"), errors);
                String f = a.path("field").asText(null);
                Field field = f == null ? null : module.field(f).orElse(null);
                if (field == null || !placed.contains(f)) {
                    errors.add(new FieldError(ap + ".field", "must be a field on one of the wizard's screens"));
                } else {
                    FieldValues.Result r = FieldValues.fromJson(field, a.get("value"));
                    if (!r.ok()) {
                        errors.add(new FieldError(ap + ".value", r.error()));
                    }
                }
            }
            default -> {
                allowOnly(a, ap + ".", type.equals("lock") ? Set.of("type", "fields", "exempt_profiles") : Set.of("type", "fields", "sections"), errors);
                boolean any = false;
                for (JsonNode f : a.path("fields")) {
                    any = true;
                    if (!placed.contains(f.asText())) {
                        errors.add(new FieldError(ap + ".fields", "'" + f.asText() + "' is on none of the wizard's screens"));
                    }
                }
                for (JsonNode s : a.path("sections")) {
                    any = true;
                    if (!sections.contains(s.asText())) {
                        errors.add(new FieldError(ap + ".sections", "no section is named '" + s.asText() + "'"));
                    }
                }
                if (!any) {
                    errors.add(new FieldError(ap + ".fields", type.equals("lock") ? "name at least one field" : "name at least one field or section"));
                }
                if (a.has("exempt_profiles") && !a.get("exempt_profiles").isArray()) {
                    errors.add(new FieldError(ap + ".exempt_profiles", "must be an array of profile names"));
                }
            }
        }
    }

    private static ValidationException invalid(List<FieldError> errors) {
        return new ValidationException(errors.size() == 1 ? errors.get(0).field() + " " + errors.get(0).message()
                : errors.size() + " problems in the wizard", errors);
    }

    private static String text(JsonNode body, String key, List<FieldError> errors) {
        JsonNode v = body.get(key);
        if (v == null || !v.isTextual() || v.textValue().isBlank()) {
            errors.add(new FieldError(key, "is required"));
            return null;
        }
        return v.textValue().strip();
    }

    private static void allowOnly(JsonNode node, String prefix, Set<String> keys, List<FieldError> errors) {
        if (!node.isObject()) {
            return;
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!keys.contains(k)) {
                errors.add(new FieldError(prefix + k, "unknown property; expected one of " + new TreeSet<>(keys)));
            }
        }
    }
}
