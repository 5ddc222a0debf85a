package io.waymark.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.error.ConflictException;
import io.waymark.error.FieldError;
import io.waymark.error.NotFoundException;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import io.waymark.tx.Transactor;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Modules, fields and layouts as data. Admins add custom modules and fields, change a field's
 * rules, hide and restore fields and manage layouts; no change loses a stored value. Catalogs are
 * cached per organisation and re-read when the stored metadata version moves (a change made on
 * another node is seen within {@link #RECHECK_MILLIS}).
 */
public final class Metadata {
    static final long RECHECK_MILLIS = 1_000;
    private static final Pattern API_NAME = Pattern.compile("^[A-Z][A-Za-z0-9_]{0,49}$");
    private static final Set<String> FIELD_KEYS = Set.of("api_name", "label", "type", "required", "unique", "default",
            "max_length", "decimal_places", "min", "max", "picklist_values", "lookup_module");

    private final MetadataStore store;
    private final Transactor tx;
    private final Map<UUID, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(ModuleCatalog catalog, long checkedAt) {
    }

    private final io.waymark.identity.Access access;

    /** @param access decides who may change modules, fields and layouts ({@code manage_modules}) */
    public Metadata(MetadataStore store, Transactor tx, io.waymark.identity.Access access) {
        this.store = store;
        this.tx = tx;
        this.access = access;
    }

    private void requireManage(Actor actor) {
        access.require(actor, io.waymark.identity.Capability.MANAGE_MODULES);
    }

    /** The organisation's modules as of now. */
    public ModuleCatalog catalog(UUID orgId) {
        long now = System.nanoTime() / 1_000_000;
        Cached c = cache.get(orgId);
        if (c != null && now - c.checkedAt < RECHECK_MILLIS) {
            return c.catalog;
        }
        long version = store.version(orgId);
        if (c != null && c.catalog.version() == version) {
            cache.put(orgId, new Cached(c.catalog, now));
            return c.catalog;
        }
        ModuleCatalog fresh = new ModuleCatalog(orgId, version, store.modules(orgId));
        cache.put(orgId, new Cached(fresh, now));
        return fresh;
    }

    private void changed(UUID orgId) {
        store.bumpVersion(orgId);
        cache.remove(orgId);
    }

    /** Creates the standard modules of a new organisation. */
    public void installStandardModules(UUID orgId) {
        tx.run(() -> {
            for (Module m : StandardModules.all()) {
                store.createModule(orgId, m);
            }
            changed(orgId);
        });
    }

    /** Creates a custom module from its JSON definition (see the OpenAPI document). */
    public Module createModule(Actor actor, JsonNode body) {
        requireManage(actor);
        ObjectNode in = requireObject(body, "");
        List<FieldError> errors = new ArrayList<>();
        ModuleCatalog catalog = catalog(actor.orgId());
        String api = text(in, "api_name", errors, true);
        if (api != null && !API_NAME.matcher(api).matches()) {
            errors.add(new FieldError("api_name", "must start with a capital letter and use only letters, digits and _ (at most 50)"));
        } else if (api != null && catalog.modules().stream().anyMatch(m -> m.apiName().equalsIgnoreCase(api))) {
            errors.add(new FieldError("api_name", "a module named '" + api + "' already exists"));
        }
        String singular = orDefault(text(in, "singular_label", errors, false), api);
        String plural = orDefault(text(in, "plural_label", errors, false), api);
        List<Field> fields = new ArrayList<>();
        JsonNode fieldsNode = in.get("fields");
        if (fieldsNode == null || !fieldsNode.isArray() || fieldsNode.isEmpty()) {
            errors.add(new FieldError("fields", "a module needs at least one field"));
        } else {
            Set<String> names = new HashSet<>();
            int i = 0;
            for (JsonNode f : fieldsNode) {
                String prefix = "fields[" + i++ + "]";
                Field field = parseField(f, catalog, api, fields.size(), prefix, errors);
                if (field != null && !names.add(field.apiName().toLowerCase(Locale.ROOT))) {
                    errors.add(new FieldError(prefix + ".api_name", "'" + field.apiName() + "' is used twice"));
                } else if (field != null) {
                    fields.add(field);
                }
            }
        }
        if (fields.stream().noneMatch(f -> f.apiName().equals("Owner"))) {
            fields.add(new Field(UUID.randomUUID(), "Owner", "Owner", FieldType.OWNER, false, false, null, null, null, null, null,
                    List.of(), null, true, false, null, fields.size(), false));
        }
        List<String> display = new ArrayList<>();
        JsonNode displayNode = in.get("display_fields");
        if (displayNode != null && displayNode.isArray()) {
            displayNode.forEach(d -> display.add(d.asText()));
        } else if (!fields.isEmpty()) {
            display.add(fields.get(0).apiName());
        }
        for (String d : display) {
            if (fields.stream().noneMatch(f -> f.apiName().equals(d))) {
                errors.add(new FieldError("display_fields", "unknown field '" + d + "'"));
            }
        }
        String subjectField = text(in, "subject_field", errors, false);
        if (subjectField != null && fields.stream().noneMatch(f -> f.apiName().equals(subjectField) && f.type() == FieldType.LOOKUP)) {
            errors.add(new FieldError("subject_field", "must name a lookup field of the module"));
        }
        rejectUnknownKeys(in, Set.of("api_name", "singular_label", "plural_label", "fields", "display_fields", "subject_field", "layouts"), "", errors);
        if (!errors.isEmpty()) {
            throw new ValidationException("Invalid module definition", errors);
        }
        List<String> onLayout = fields.stream().filter(f -> !f.readOnly()).map(Field::apiName).toList();
        List<Layout> layouts = new ArrayList<>();
        JsonNode layoutsNode = in.get("layouts");
        if (layoutsNode != null && layoutsNode.isArray() && !layoutsNode.isEmpty()) {
            int i = 0;
            for (JsonNode l : layoutsNode) {
                layouts.add(parseLayout(l, fields, null, i == 0, "layouts[" + i + "]"));
                i++;
            }
        } else {
            layouts.add(new Layout(UUID.randomUUID(), "Standard", true, List.of(new Layout.Section(singular + " Information", onLayout))));
        }
        Module module = new Module(UUID.randomUUID(), api, singular, plural, false, display, subjectField, fields, layouts, null);
        return tx.inTransaction(() -> {
            Module stored = store.createModule(actor.orgId(), module);
            changed(actor.orgId());
            return stored;
        });
    }

    /** Adds a custom field to a module. */
    public Field addField(Actor actor, String moduleName, JsonNode body) {
        requireManage(actor);
        ModuleCatalog catalog = catalog(actor.orgId());
        Module module = catalog.get(moduleName);
        List<FieldError> errors = new ArrayList<>();
        Field field = parseField(requireObject(body, ""), catalog, module.apiName(), module.fields().size(), "", errors);
        if (field != null && module.anyField(field.apiName()).isPresent()
                || field != null && module.fields().stream().anyMatch(f -> f.apiName().equalsIgnoreCase(field.apiName()))) {
            errors.add(new FieldError("api_name", "module " + moduleName + " already has a field '" + field.apiName() + "'"
                    + (module.anyField(field.apiName()).map(Field::deleted).orElse(false) ? " (hidden; restore it instead)" : "")));
        }
        if (!errors.isEmpty()) {
            throw new ValidationException("Invalid field definition", errors);
        }
        return tx.inTransaction(() -> {
            Field stored = store.addField(actor.orgId(), module, field);
            // A new field goes onto the default layout so that it can be used at once.
            Layout def = module.defaultLayout();
            List<Layout.Section> sections = new ArrayList<>(def.sections());
            Layout.Section last = sections.remove(sections.size() - 1);
            List<String> names = new ArrayList<>(last.fields());
            names.add(stored.apiName());
            sections.add(new Layout.Section(last.name(), names));
            store.saveLayout(actor.orgId(), module, new Layout(def.id(), def.name(), true, sections));
            changed(actor.orgId());
            return stored;
        });
    }

    /**
     * Changes a field's rules. Accepted: label, required, unique, default, max_length,
     * decimal_places, min, max, picklist_values (values in use cannot be dropped; rename them
     * with {@code rename: {"Old": "New"}}), and the type changes that cannot lose data (see the
     * OpenAPI document).
     */
    public Field updateField(Actor actor, String moduleName, String fieldName, JsonNode body) {
        requireManage(actor);
        ModuleCatalog catalog = catalog(actor.orgId());
        Module module = catalog.get(moduleName);
        Field before = module.field(fieldName).orElseThrow(() -> new NotFoundException("Unknown field '" + fieldName + "' in module " + moduleName));
        ObjectNode in = requireObject(body, "");
        List<FieldError> errors = new ArrayList<>();
        if (before.system() && !before.apiName().equals("Owner")) {
            throw new ConflictException("Field " + fieldName + " is maintained by Waymark and cannot be changed");
        }
        rejectUnknownKeys(in, Set.of("label", "type", "required", "unique", "default", "max_length", "decimal_places", "min", "max",
                "picklist_values", "rename"), "", errors);
        if (in.has("api_name") && !in.get("api_name").asText().equals(before.apiName())) {
            errors.add(new FieldError("api_name", "cannot be changed; it is how integrations name the field"));
        }
        FieldType type = before.type();
        if (in.hasNonNull("type")) {
            FieldType wanted = FieldType.fromApiName(in.get("type").asText()).orElse(null);
            if (wanted == null) {
                errors.add(new FieldError("type", "unknown type '" + in.get("type").asText() + "'"));
            } else if (wanted != type && !safeTypeChange(type, wanted)) {
                errors.add(new FieldError("type", "changing a " + type.apiName() + " field to " + wanted.apiName()
                        + " could lose data; add a new field instead"));
            } else {
                type = wanted;
            }
        }
        ObjectNode merged = fieldJson(before);
        merged.remove(List.of("system", "read_only"));
        merged.put("type", type.apiName());
        in.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("rename") && !e.getKey().equals("type")) {
                merged.set(e.getKey(), e.getValue());
            }
        });
        Map<String, String> renames = new LinkedHashMap<>();
        JsonNode rename = in.get("rename");
        if (rename != null) {
            if (!rename.isObject()) {
                errors.add(new FieldError("rename", "must be an object of old value to new value"));
            } else {
                rename.fields().forEachRemaining(e -> renames.put(e.getKey(), e.getValue().asText()));
                if (!in.has("picklist_values")) {
                    ArrayNode values = merged.putArray("picklist_values");
                    before.picklistValues().forEach(v -> values.add(renames.getOrDefault(v, v)));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException("Invalid field change", errors);
        }
        Field parsed = parseField(merged, catalog, moduleName, before.position(), "", errors);
        if (!errors.isEmpty()) {
            throw new ValidationException("Invalid field change", errors);
        }
        Field after = new Field(before.id(), before.apiName(), parsed.label(), parsed.type(), parsed.required(), parsed.unique(),
                parsed.defaultValue(), parsed.maxLength(), parsed.decimalPlaces(), parsed.min(), parsed.max(), parsed.picklistValues(),
                before.lookupModule(), before.system(), before.readOnly(), before.column(), before.position(), false);
        for (Map.Entry<String, String> r : renames.entrySet()) {
            if (!before.picklistValues().contains(r.getKey())) {
                errors.add(new FieldError("rename", "'" + r.getKey() + "' is not a value of " + fieldName));
            } else if (!after.picklistValues().contains(r.getValue())) {
                errors.add(new FieldError("rename", "'" + r.getValue() + "' must be among the new picklist_values"));
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException("Invalid field change", errors);
        }
        return tx.inTransaction(() -> {
            for (Map.Entry<String, String> r : renames.entrySet()) {
                store.renameValue(actor.orgId(), module, before, r.getKey(), r.getValue());
            }
            for (String v : before.picklistValues()) {
                if (!after.picklistValues().contains(v) && !renames.containsKey(v)) {
                    long inUse = store.countWithValue(actor.orgId(), module, before, v);
                    if (inUse > 0) {
                        throw new ConflictException("Cannot remove '" + v + "' from " + fieldName + ": " + inUse
                                + " record(s) hold it; rename it instead", List.of(new FieldError("picklist_values", "'" + v + "' is in use by " + inUse + " record(s)")));
                    }
                }
            }
            store.updateField(actor.orgId(), module, before, after);
            changed(actor.orgId());
            return after;
        });
    }

    /** Hides a custom field; its values stay stored and come back with {@link #restoreField}. */
    public void deleteField(Actor actor, String moduleName, String fieldName) {
        requireManage(actor);
        Module module = catalog(actor.orgId()).get(moduleName);
        Field f = module.field(fieldName).orElseThrow(() -> new NotFoundException("Unknown field '" + fieldName + "' in module " + moduleName));
        if (f.system() || module.standard() && StandardModules.all().stream().filter(m -> m.apiName().equals(moduleName))
                .anyMatch(m -> m.field(fieldName).isPresent())) {
            throw new ConflictException("Field " + fieldName + " is a standard field and cannot be deleted");
        }
        if (module.displayFields().contains(fieldName) || fieldName.equals(module.subjectField())) {
            throw new ConflictException("Field " + fieldName + " names the module's records or its subject; change that first");
        }
        tx.run(() -> {
            store.updateField(actor.orgId(), module, f, f.withDeleted(true));
            changed(actor.orgId());
        });
    }

    public Field restoreField(Actor actor, String moduleName, String fieldName) {
        requireManage(actor);
        Module module = catalog(actor.orgId()).get(moduleName);
        Field f = module.anyField(fieldName).filter(Field::deleted)
                .orElseThrow(() -> new NotFoundException("No deleted field '" + fieldName + "' in module " + moduleName));
        return tx.inTransaction(() -> {
            store.updateField(actor.orgId(), module, f, f.withDeleted(false));
            changed(actor.orgId());
            return f.withDeleted(false);
        });
    }

    /** Adds a layout, or replaces the one with the same name. */
    public Layout saveLayout(Actor actor, String moduleName, JsonNode body) {
        requireManage(actor);
        Module module = catalog(actor.orgId()).get(moduleName);
        ObjectNode in = requireObject(body, "");
        String name = in.path("name").asText("");
        Layout existing = module.layout(name).orElse(null);
        Layout layout = parseLayout(in, module.visibleFields(), existing == null ? null : existing.id(),
                existing != null && existing.isDefault(), "");
        return tx.inTransaction(() -> {
            store.saveLayout(actor.orgId(), module, layout);
            changed(actor.orgId());
            return layout;
        });
    }

    public void deleteLayout(Actor actor, String moduleName, String layoutName) {
        requireManage(actor);
        Module module = catalog(actor.orgId()).get(moduleName);
        Layout layout = module.layout(layoutName).orElseThrow(() -> new NotFoundException("Unknown layout '" + layoutName + "'"));
        if (layout.isDefault()) {
            throw new ConflictException("The default layout cannot be deleted");
        }
        tx.run(() -> {
            store.deleteLayout(actor.orgId(), module, layout.id(), module.defaultLayout().id());
            changed(actor.orgId());
        });
    }

    private Layout parseLayout(JsonNode node, List<Field> fields, UUID id, boolean isDefault, String prefix) {
        List<FieldError> errors = new ArrayList<>();
        ObjectNode in = requireObject(node, prefix);
        String name = in.path("name").asText("").strip();
        if (name.isEmpty() || name.length() > 100) {
            errors.add(new FieldError(join(prefix, "name"), "is required (at most 100 characters)"));
        }
        List<Layout.Section> sections = new ArrayList<>();
        JsonNode secs = in.get("sections");
        if (secs == null || !secs.isArray() || secs.isEmpty()) {
            errors.add(new FieldError(join(prefix, "sections"), "a layout needs at least one section"));
        } else {
            int i = 0;
            Set<String> seen = new HashSet<>();
            for (JsonNode s : secs) {
                String sp = join(prefix, "sections[" + i++ + "]");
                List<String> names = new ArrayList<>();
                for (JsonNode f : s.path("fields")) {
                    String fn = f.asText();
                    Field field = fields.stream().filter(x -> x.apiName().equals(fn)).findFirst().orElse(null);
                    if (field == null) {
                        errors.add(new FieldError(sp + ".fields", "unknown field '" + fn + "'"));
                    } else if (field.readOnly()) {
                        errors.add(new FieldError(sp + ".fields", "'" + fn + "' is read-only and cannot be placed on a layout"));
                    } else if (!seen.add(fn)) {
                        errors.add(new FieldError(sp + ".fields", "'" + fn + "' appears twice"));
                    } else {
                        names.add(fn);
                    }
                }
                sections.add(new Layout.Section(s.path("name").asText("Section " + i), names));
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException("Invalid layout", errors);
        }
        return new Layout(id == null ? UUID.randomUUID() : id, name, isDefault, sections);
    }

    private static boolean safeTypeChange(FieldType from, FieldType to) {
        boolean shortText = to == FieldType.TEXT && (from == FieldType.EMAIL || from == FieldType.PHONE || from == FieldType.URL
                || from == FieldType.PICKLIST);
        return shortText || from.isDecimal() && to.isDecimal();
    }

    private Field parseField(JsonNode node, ModuleCatalog catalog, String moduleName, int position, String prefix, List<FieldError> errors) {
        if (!node.isObject()) {
            errors.add(new FieldError(prefix.isEmpty() ? "body" : prefix, "must be a JSON object"));
            return null;
        }
        ObjectNode in = (ObjectNode) node;
        int before = errors.size();
        rejectUnknownKeys(in, FIELD_KEYS, prefix, errors);
        String api = in.path("api_name").asText(null);
        if (api == null || !API_NAME.matcher(api).matches()) {
            errors.add(new FieldError(join(prefix, "api_name"), "is required: a capital letter, then letters, digits and _ (at most 50)"));
        }
        FieldType type = FieldType.fromApiName(in.path("type").asText("")).orElse(null);
        if (type == null) {
            errors.add(new FieldError(join(prefix, "type"), "must be one of " + java.util.Arrays.stream(FieldType.values()).map(FieldType::apiName).toList()));
            return null;
        }
        String label = in.path("label").asText(api == null ? "" : api.replace('_', ' '));
        boolean required = bool(in, "required", prefix, errors);
        boolean unique = bool(in, "unique", prefix, errors);
        if (unique && (type == FieldType.LONG_TEXT || type == FieldType.MULTI_SELECT || type == FieldType.BOOLEAN)) {
            errors.add(new FieldError(join(prefix, "unique"), "a " + type.apiName() + " field cannot be unique"));
        }
        Integer maxLength = null;
        if (in.hasNonNull("max_length")) {
            int ml = in.get("max_length").asInt(-1);
            if (!type.isText() || type == FieldType.PICKLIST || ml < 1 || ml > type.maxMaxLength()) {
                errors.add(new FieldError(join(prefix, "max_length"), type.isText() && type != FieldType.PICKLIST
                        ? "must be between 1 and " + type.maxMaxLength() : "applies only to text fields"));
            } else {
                maxLength = ml;
            }
        }
        Integer places = null;
        if (in.hasNonNull("decimal_places")) {
            int dp = in.get("decimal_places").asInt(-1);
            if (!type.isDecimal() || dp < 0 || dp > 9) {
                errors.add(new FieldError(join(prefix, "decimal_places"), type.isDecimal() ? "must be between 0 and 9" : "applies only to decimal fields"));
            } else {
                places = dp;
            }
        }
        BigDecimal min = number(in, "min", type, prefix, errors);
        BigDecimal max = number(in, "max", type, prefix, errors);
        if (min != null && max != null && min.compareTo(max) > 0) {
            errors.add(new FieldError(join(prefix, "min"), "must not exceed max"));
        }
        List<String> values = new ArrayList<>();
        if (type == FieldType.PICKLIST || type == FieldType.MULTI_SELECT) {
            JsonNode pv = in.get("picklist_values");
            if (pv == null || !pv.isArray() || pv.isEmpty()) {
                errors.add(new FieldError(join(prefix, "picklist_values"), "a " + type.apiName() + " field needs at least one value"));
            } else {
                for (JsonNode v : pv) {
                    String s = v.isTextual() ? v.textValue().strip() : "";
                    if (s.isEmpty() || s.length() > 120) {
                        errors.add(new FieldError(join(prefix, "picklist_values"), "values must be non-empty strings of at most 120 characters"));
                    } else if (values.contains(s)) {
                        errors.add(new FieldError(join(prefix, "picklist_values"), "'" + s + "' appears twice"));
                    } else {
                        values.add(s);
                    }
                }
            }
        } else if (in.has("picklist_values")) {
            errors.add(new FieldError(join(prefix, "picklist_values"), "applies only to picklist and multi_select fields"));
        }
        String lookup = null;
        if (type == FieldType.LOOKUP) {
            lookup = in.path("lookup_module").asText(null);
            String target = lookup;
            if (target == null || catalog.find(target).isEmpty() && !target.equals(moduleName)) {
                errors.add(new FieldError(join(prefix, "lookup_module"), "must name an existing module"));
            }
        } else if (in.has("lookup_module")) {
            errors.add(new FieldError(join(prefix, "lookup_module"), "applies only to lookup fields"));
        }
        if (errors.size() > before) {
            return null;
        }
        Field draft = new Field(UUID.randomUUID(), api, label, type, required, unique, null, maxLength, places, min, max, values,
                lookup, false, false, null, position, false);
        Object defaultValue = null;
        if (in.hasNonNull("default")) {
            if (type.isReference()) {
                errors.add(new FieldError(join(prefix, "default"), "lookup and owner fields cannot have a default"));
            } else {
                FieldValues.Result r = FieldValues.fromJson(draft, in.get("default"));
                if (!r.ok()) {
                    errors.add(new FieldError(join(prefix, "default"), r.error()));
                }
                defaultValue = r.value();
            }
        }
        if (errors.size() > before) {
            return null;
        }
        return new Field(draft.id(), api, label, type, required, unique, defaultValue, maxLength, places, min, max, values,
                lookup, false, false, null, position, false);
    }

    /** The JSON form of a field definition, as the metadata API returns it. */
    public static ObjectNode fieldJson(Field f) {
        ObjectNode o = Json.object();
        o.put("api_name", f.apiName());
        o.put("label", f.label());
        o.put("type", f.type().apiName());
        o.put("required", f.required());
        o.put("unique", f.unique());
        o.set("default", FieldValues.toJson(f.defaultValue()));
        if (f.type().isText() && f.type() != FieldType.PICKLIST) {
            o.put("max_length", f.effectiveMaxLength());
        }
        if (f.type().isDecimal()) {
            o.put("decimal_places", f.effectiveDecimalPlaces());
        }
        if (f.min() != null) {
            o.put("min", f.min());
        }
        if (f.max() != null) {
            o.put("max", f.max());
        }
        if (!f.picklistValues().isEmpty()) {
            ArrayNode a = o.putArray("picklist_values");
            f.picklistValues().forEach(a::add);
        }
        if (f.lookupModule() != null) {
            o.put("lookup_module", f.lookupModule());
        }
        o.put("system", f.system());
        o.put("read_only", f.readOnly());
        return o;
    }

    /** The JSON form of a module, as the metadata API returns it. */
    public static ObjectNode moduleJson(Module m) {
        ObjectNode o = Json.object();
        o.put("id", m.id().toString());
        o.put("api_name", m.apiName());
        o.put("singular_label", m.singularLabel());
        o.put("plural_label", m.pluralLabel());
        o.put("standard", m.standard());
        ArrayNode d = o.putArray("display_fields");
        m.displayFields().forEach(d::add);
        o.put("subject_field", m.subjectField());
        ArrayNode fields = o.putArray("fields");
        m.visibleFields().forEach(f -> fields.add(fieldJson(f)));
        ArrayNode layouts = o.putArray("layouts");
        for (Layout l : m.layouts()) {
            layouts.add(layoutJson(l));
        }
        return o;
    }

    public static ObjectNode layoutJson(Layout l) {
        ObjectNode lo = Json.object();
        lo.put("id", l.id().toString());
        lo.put("name", l.name());
        lo.put("default", l.isDefault());
        ArrayNode secs = lo.putArray("sections");
        for (Layout.Section s : l.sections()) {
            ObjectNode so = secs.addObject();
            so.put("name", s.name());
            ArrayNode fa = so.putArray("fields");
            s.fields().forEach(fa::add);
        }
        return lo;
    }

    static ObjectNode requireObject(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new ValidationException("Expected a JSON object", List.of(new FieldError(where.isEmpty() ? "body" : where, "must be a JSON object")));
        }
        return (ObjectNode) node;
    }

    private static void rejectUnknownKeys(ObjectNode in, Set<String> allowed, String prefix, List<FieldError> errors) {
        for (Iterator<String> it = in.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                errors.add(new FieldError(join(prefix, k), "unknown property; expected one of " + new java.util.TreeSet<>(allowed)));
            }
        }
    }

    private static String text(ObjectNode in, String key, List<FieldError> errors, boolean required) {
        JsonNode n = in.get(key);
        if (n == null || n.isNull()) {
            if (required) {
                errors.add(new FieldError(key, "is required"));
            }
            return null;
        }
        if (!n.isTextual() || n.textValue().isBlank() || n.textValue().length() > 100) {
            errors.add(new FieldError(key, "must be a non-empty string of at most 100 characters"));
            return null;
        }
        return n.textValue().strip();
    }

    private static boolean bool(ObjectNode in, String key, String prefix, List<FieldError> errors) {
        JsonNode n = in.get(key);
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            errors.add(new FieldError(join(prefix, key), "must be true or false"));
            return false;
        }
        return n.booleanValue();
    }

    private static BigDecimal number(ObjectNode in, String key, FieldType type, String prefix, List<FieldError> errors) {
        JsonNode n = in.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!type.isNumeric()) {
            errors.add(new FieldError(join(prefix, key), "applies only to numeric fields"));
            return null;
        }
        if (!n.isNumber()) {
            errors.add(new FieldError(join(prefix, key), "must be a number"));
            return null;
        }
        return n.decimalValue();
    }

    private static String orDefault(String s, String d) {
        return s == null ? d : s;
    }

    private static String join(String prefix, String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }
}
