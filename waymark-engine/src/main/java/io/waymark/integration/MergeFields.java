package io.waymark.integration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;
import io.waymark.Actor;
import io.waymark.error.FieldError;
import io.waymark.record.Field;
import io.waymark.record.FieldType;
import io.waymark.record.Module;
import io.waymark.record.ModuleCatalog;
import io.waymark.record.Record;
import io.waymark.record.Records;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Merge fields in texts that users write (email subjects and bodies, webhook bodies): Mustache
 * tags ({@code {{Contacts.First_Name}}}) checked against the module's metadata when a definition
 * is saved, and filled from a record when it is used.
 *
 * <p>The names a text may use, for a definition on module {@code M}:
 * <ul>
 *   <li>{@code M.Field} — a field of the record (a lookup or owner shows the linked name);</li>
 *   <li>{@code M.Lookup.Field} — a field of the record a lookup points to;</li>
 *   <li>{@code Owner.Name}, {@code Owner.Email} — the record owner;</li>
 *   <li>{@code Org.Name} — the organisation;</li>
 *   <li>{@code Record.id}, {@code Record.module}, {@code Record.subject};</li>
 *   <li>names a caller adds (e.g. {@code Unsubscribe_URL} in emails).</li>
 * </ul>
 * Sections ({@code {{#M.Field}}…{{/M.Field}}}, {@code {{^…}}}) show text only when a field has
 * (or has no) value; partials are not allowed. jmustache is logic-less, so a template can read
 * only what this context offers.
 */
public final class MergeFields {
    /** HTML-escaping compiler for HTML bodies. */
    public static final Mustache.Compiler HTML = Mustache.compiler().defaultValue("").emptyStringIsFalse(true).escapeHTML(true);
    /** Non-escaping compiler for subjects, plain text and webhook bodies. */
    public static final Mustache.Compiler TEXT = Mustache.compiler().defaultValue("").emptyStringIsFalse(true).escapeHTML(false);
    private static final Set<String> OWNER_KEYS = Set.of("Name", "Email");
    private static final Set<String> RECORD_KEYS = Set.of("id", "module", "subject");

    private final Records records;
    private final IntegrationStore store;

    public MergeFields(Records records, IntegrationStore store) {
        this.records = records;
        this.store = store;
    }

    /**
     * The problems of one text: syntax errors and unknown names, each as a field error on
     * {@code where} naming the merge field.
     *
     * @param extra names the caller provides besides the module's (e.g. {@code Unsubscribe_URL})
     */
    public static List<FieldError> check(ModuleCatalog catalog, Module module, String text, String where, Set<String> extra) {
        List<FieldError> errors = new ArrayList<>();
        if (text == null) {
            return errors;
        }
        Template t;
        try {
            t = TEXT.compile(text);
        } catch (MustacheException e) {
            errors.add(new FieldError(where, "is not a valid template: " + e.getMessage()));
            return errors;
        }
        Set<String> names = new LinkedHashSet<>();
        t.visit(new Mustache.Visitor() {
            @Override
            public void visitText(String s) {
            }

            @Override
            public void visitVariable(String name) {
                names.add(name);
            }

            @Override
            public boolean visitInclude(String name) {
                errors.add(new FieldError(where, "partials ({{> " + name + "}}) are not supported"));
                return false;
            }

            @Override
            public boolean visitParent(String name) {
                errors.add(new FieldError(where, "template inheritance ({{< " + name + "}}) is not supported"));
                return false;
            }

            @Override
            public boolean visitBlock(String name) {
                errors.add(new FieldError(where, "blocks ({{$ " + name + "}}) are not supported"));
                return false;
            }

            @Override
            public boolean visitSection(String name) {
                names.add(name);
                return true;
            }

            @Override
            public boolean visitInvertedSection(String name) {
                names.add(name);
                return true;
            }
        });
        for (String name : names) {
            String problem = problem(catalog, module, name, extra);
            if (problem != null) {
                errors.add(new FieldError(where, "unknown merge field {{" + name + "}}: " + problem));
            }
        }
        return errors;
    }

    private static String problem(ModuleCatalog catalog, Module module, String name, Set<String> extra) {
        if (extra.contains(name)) {
            return null;
        }
        String[] parts = name.split("\\.", -1);
        String head = parts[0];
        if (head.equals("Owner")) {
            return parts.length == 2 && OWNER_KEYS.contains(parts[1]) ? null : "the owner has Owner.Name and Owner.Email";
        }
        if (head.equals("Org")) {
            return parts.length == 2 && parts[1].equals("Name") ? null : "the organisation has Org.Name";
        }
        if (head.equals("Record")) {
            return parts.length == 2 && RECORD_KEYS.contains(parts[1]) ? null : "the record has Record.id, Record.module and Record.subject";
        }
        if (!head.equals(module.apiName())) {
            return catalog.find(head).isPresent()
                    ? "this definition is on " + module.apiName() + "; reach " + head + " through a lookup of " + module.apiName()
                    : "no module named " + head + " (names start with " + module.apiName() + ", Owner, Org or Record"
                      + (extra.isEmpty() ? "" : ", or are one of " + extra) + ")";
        }
        if (parts.length < 2 || parts.length > 3) {
            return "use " + module.apiName() + ".Field or " + module.apiName() + ".Lookup_Field.Field";
        }
        Field f = module.field(parts[1]).orElse(null);
        if (f == null) {
            return "module " + module.apiName() + " has no field " + parts[1];
        }
        if (parts.length == 2) {
            return null;
        }
        if (f.type() == FieldType.OWNER) {
            return OWNER_KEYS.contains(parts[2]) ? null : parts[1] + " is a user: use Name or Email";
        }
        if (f.type() != FieldType.LOOKUP) {
            return parts[1] + " is not a lookup, so it has no field " + parts[2];
        }
        Module target = catalog.find(f.lookupModule()).orElse(null);
        if (target == null || target.field(parts[2]).isEmpty()) {
            return "module " + f.lookupModule() + " (through " + parts[1] + ") has no field " + parts[2];
        }
        return null;
    }

    /**
     * The values a text on {@code module} sees for one record. Lookups are resolved one level
     * deep and only when the record points somewhere.
     *
     * @param extra values of caller-provided names
     */
    public Map<String, Object> context(Actor actor, Module module, Record record, Map<String, Object> extra) {
        Map<String, Object> ctx = new HashMap<>(extra);
        ObjectNode rendered = records.render(actor, module, List.of(record)).get(0);
        Map<String, Object> fields = new LinkedHashMap<>();
        Map<UUID, IntegrationStore.UserContact> users = new HashMap<>();
        for (Field f : module.visibleFields()) {
            JsonNode v = rendered.get(f.apiName());
            if (f.type() == FieldType.LOOKUP && v != null && v.isObject()) {
                fields.put(f.apiName(), new Linked(v.path("name").asText(""), () -> linkedValues(actor, f, UUID.fromString(v.get("id").asText()))));
            } else if (f.type() == FieldType.OWNER && v != null && v.isObject()) {
                UUID id = UUID.fromString(v.get("id").asText());
                fields.put(f.apiName(), new Linked(v.path("name").asText(""), () -> userValues(actor, id, users)));
            } else {
                fields.put(f.apiName(), text(v));
            }
        }
        ctx.put(module.apiName(), fields);
        ctx.put("Owner", record.owner() == null ? Map.of() : userValues(actor, record.owner(), users));
        ctx.put("Org", Map.of("Name", store.orgName(actor.orgId()).orElse("")));
        ctx.put("Record", Map.of("id", record.id().toString(), "module", module.apiName(), "subject", record.subject()));
        return ctx;
    }

    private Map<String, Object> linkedValues(Actor actor, Field lookup, UUID id) {
        Module target = records.module(actor, lookup.lookupModule());
        Record r = records.findForSignal(actor.orgId(), target.apiName(), id);
        if (r == null) {
            return Map.of();
        }
        ObjectNode rendered = records.render(actor, target, List.of(r)).get(0);
        Map<String, Object> out = new HashMap<>();
        for (Field f : target.visibleFields()) {
            out.put(f.apiName(), text(rendered.get(f.apiName())));
        }
        return out;
    }

    private Map<String, Object> userValues(Actor actor, UUID id, Map<UUID, IntegrationStore.UserContact> cache) {
        IntegrationStore.UserContact u = cache.computeIfAbsent(id, k -> store.user(actor.orgId(), k)
                .orElse(new IntegrationStore.UserContact(k, "", "")));
        return Map.of("Name", u.name(), "Email", u.email());
    }

    /** The text form of a rendered value: lists joined with commas, references by name. */
    static String text(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return "";
        }
        if (v.isArray()) {
            List<String> parts = new ArrayList<>();
            v.forEach(x -> parts.add(text(x)));
            return String.join(", ", parts);
        }
        if (v.isObject()) {
            return v.path("name").asText("");
        }
        if (v.isBigDecimal() || v.isDouble() || v.isFloat()) {
            return v.decimalValue().stripTrailingZeros().toPlainString();
        }
        return v.asText();
    }

    /**
     * A linked record or user: prints as its name, and opens (loading lazily) to its fields. A
     * {@link java.util.AbstractMap} so jmustache navigates into it by key.
     */
    private static final class Linked extends java.util.AbstractMap<String, Object> {
        private final String name;
        private final java.util.function.Supplier<Map<String, Object>> load;
        private Map<String, Object> values;

        Linked(String name, java.util.function.Supplier<Map<String, Object>> load) {
            this.name = name;
            this.load = load;
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            if (values == null) {
                values = load.get();
            }
            return values.entrySet();
        }

        @Override
        public Object get(Object key) {
            if (values == null) {
                values = load.get();
            }
            return values.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return get(key) != null;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Fills a text; {@code html} escapes values for HTML. */
    public static String fill(String text, Map<String, Object> context, boolean html) {
        if (text == null) {
            return null;
        }
        return (html ? HTML : TEXT).compile(text).execute(context);
    }
}
