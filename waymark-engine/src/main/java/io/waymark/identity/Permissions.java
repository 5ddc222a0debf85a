package io.waymark.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.error.FieldError;
import io.waymark.json.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a profile allows: record actions per module (with a default for every module not named,
 * so that modules added later are covered), capabilities, and whether its users see every record
 * regardless of the role hierarchy.
 *
 * <p>JSON form: {@code {"view_all_records": false, "modules": {"*": ["view", "create"], "Leads":
 * ["view"]}, "capabilities": ["manage_users"]}}.
 *
 * @param allModules the actions on any module not named in {@code modules}
 */
public record Permissions(boolean viewAllRecords, Set<ModuleAction> allModules, Map<String, Set<ModuleAction>> modules,
                          Set<Capability> capabilities) {
    /** Everything: the seeded Administrator profile. */
    public static final Permissions ADMINISTRATOR = new Permissions(true, EnumSet.allOf(ModuleAction.class), Map.of(),
            EnumSet.allOf(Capability.class));
    /** Records of every module, no export and no capability: the seeded Standard profile. */
    public static final Permissions STANDARD = new Permissions(false,
            EnumSet.of(ModuleAction.VIEW, ModuleAction.CREATE, ModuleAction.EDIT, ModuleAction.DELETE), Map.of(), EnumSet.noneOf(Capability.class));
    /** Nothing at all (an unknown or inactive user). */
    public static final Permissions NONE = new Permissions(false, EnumSet.noneOf(ModuleAction.class), Map.of(),
            EnumSet.noneOf(Capability.class));

    public Permissions {
        allModules = allModules.isEmpty() ? Collections.unmodifiableSet(EnumSet.noneOf(ModuleAction.class))
                : Collections.unmodifiableSet(EnumSet.copyOf(allModules));
        Map<String, Set<ModuleAction>> m = new LinkedHashMap<>();
        modules.forEach((k, v) -> m.put(k, v.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(v))));
        modules = Collections.unmodifiableMap(m);
        capabilities = capabilities.isEmpty() ? Collections.unmodifiableSet(EnumSet.noneOf(Capability.class))
                : Collections.unmodifiableSet(EnumSet.copyOf(capabilities));
    }

    public boolean allows(String module, ModuleAction action) {
        return modules.getOrDefault(module, allModules).contains(action);
    }

    public boolean has(Capability capability) {
        return capabilities.contains(capability);
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("view_all_records", viewAllRecords);
        ObjectNode m = o.putObject("modules");
        m.set("*", actions(allModules));
        modules.forEach((k, v) -> m.set(k, actions(v)));
        ArrayNode caps = o.putArray("capabilities");
        capabilities.forEach(c -> caps.add(c.apiName()));
        return o;
    }

    private static ArrayNode actions(Set<ModuleAction> set) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        set.forEach(x -> a.add(x.apiName()));
        return a;
    }

    /**
     * Reads the JSON form; problems are added to {@code errors} under {@code prefix} and the result
     * is then null. Module names are checked by the caller (they must exist).
     */
    public static Permissions fromJson(JsonNode node, String prefix, List<FieldError> errors) {
        if (node == null || !node.isObject()) {
            errors.add(new FieldError(prefix, "must be an object with view_all_records, modules and capabilities"));
            return null;
        }
        int before = errors.size();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!Set.of("view_all_records", "modules", "capabilities").contains(k)) {
                errors.add(new FieldError(prefix + "." + k, "unknown property; expected view_all_records, modules or capabilities"));
            }
        }
        JsonNode all = node.get("view_all_records");
        if (all != null && !all.isBoolean()) {
            errors.add(new FieldError(prefix + ".view_all_records", "must be true or false"));
        }
        Set<ModuleAction> defaults = EnumSet.noneOf(ModuleAction.class);
        Map<String, Set<ModuleAction>> modules = new LinkedHashMap<>();
        JsonNode m = node.get("modules");
        if (m != null && !m.isNull()) {
            if (!m.isObject()) {
                errors.add(new FieldError(prefix + ".modules", "must be an object of module API names (or *) to lists of actions"));
            } else {
                for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    Set<ModuleAction> set = EnumSet.noneOf(ModuleAction.class);
                    String key = prefix + ".modules." + e.getKey();
                    if (!e.getValue().isArray()) {
                        errors.add(new FieldError(key, "must be a list of view, create, edit, delete, export"));
                        continue;
                    }
                    for (JsonNode a : e.getValue()) {
                        ModuleAction action = a.isTextual() ? ModuleAction.parse(a.textValue()).orElse(null) : null;
                        if (action == null) {
                            errors.add(new FieldError(key, "unknown action " + a + "; expected view, create, edit, delete or export"));
                        } else {
                            set.add(action);
                        }
                    }
                    if (!set.isEmpty() && !set.contains(ModuleAction.VIEW)) {
                        errors.add(new FieldError(key, "any action on a module needs view too"));
                    }
                    if (e.getKey().equals("*")) {
                        defaults = set;
                    } else {
                        modules.put(e.getKey(), set);
                    }
                }
            }
        }
        Set<Capability> caps = EnumSet.noneOf(Capability.class);
        JsonNode c = node.get("capabilities");
        if (c != null && !c.isNull()) {
            if (!c.isArray()) {
                errors.add(new FieldError(prefix + ".capabilities", "must be a list of capability names"));
            } else {
                for (JsonNode x : c) {
                    Capability cap = x.isTextual() ? Capability.parse(x.textValue()).orElse(null) : null;
                    if (cap == null) {
                        List<String> names = new ArrayList<>();
                        for (Capability k : Capability.values()) {
                            names.add(k.apiName());
                        }
                        errors.add(new FieldError(prefix + ".capabilities", "unknown capability " + x + "; expected one of " + names));
                    } else {
                        caps.add(cap);
                    }
                }
            }
        }
        if (errors.size() > before) {
            return null;
        }
        return new Permissions(all != null && all.booleanValue(), defaults, modules, caps);
    }
}
