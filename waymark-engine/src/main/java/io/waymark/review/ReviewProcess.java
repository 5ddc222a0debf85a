package io.waymark.review;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Ids;
import io.waymark.criteria.CompiledCriteria;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.record.CreationSource;
import io.waymark.record.Field;
import io.waymark.record.Module;
import io.waymark.record.ModuleCatalog;
import io.waymark.workflow.RuleDefinition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * A review process: which new records of a module are held for review (by the door they came in
 * through and matching criteria), who reviews them, and which fields get a verdict.
 *
 * <pre>{@code
 * {"name": "Web leads", "module": "Leads", "sources": ["form", "api", "import"],
 *  "criteria": "(Lead_Source:equals:Web)",
 *  "reviewers": [{"type": "role", "id": "..."}, {"type": "user", "id": "..."}, {"type": "group", "id": "..."}],
 *  "fields": ["Email", "Phone"]}
 * }</pre>
 *
 * {@code sources} are {@link CreationSource} names ({@code api}, {@code import}, {@code form},
 * {@code wizard}, {@code kiosk}, {@code automation}). {@code fields} is optional: without it,
 * every field that holds a value when the record is submitted is under review.
 */
public record ReviewProcess(String name, String module, Set<CreationSource> sources, CompiledCriteria criteria, List<Reviewer> reviewers,
                            List<String> fields, ObjectNode json) {

    /** Who reviews: a user, every user of a role, or every member of a group. */
    public record Reviewer(String type, UUID id) {
        static final Set<String> TYPES = Set.of("user", "role", "group");
    }

    private static final Set<String> TOP = Set.of("name", "module", "sources", "criteria", "reviewers", "fields");

    /** Validates a definition; every problem is reported at once, each naming its path. */
    public static ReviewProcess parse(ModuleCatalog catalog, JsonNode body) {
        List<FieldError> errors = new ArrayList<>();
        if (body == null || !body.isObject()) {
            throw new ValidationException("A JSON object is required", List.of(new FieldError("body", "must be a JSON object")));
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!TOP.contains(k)) {
                errors.add(new FieldError(k, "unknown property; expected one of " + new TreeSet<>(TOP)));
            }
        }
        String name = body.path("name").isTextual() ? body.get("name").textValue() : null;
        if (name == null || name.isBlank() || name.length() > 100) {
            errors.add(new FieldError("name", "is required: 1 to 100 characters"));
        }
        String moduleName = body.path("module").isTextual() ? body.get("module").textValue() : null;
        Module module = moduleName == null ? null : catalog.find(moduleName).orElse(null);
        if (module == null) {
            throw new ValidationException("Invalid module", List.of(new FieldError("module", moduleName == null ? "is required" : "unknown module " + moduleName)));
        }
        Set<CreationSource> sources = EnumSet.noneOf(CreationSource.class);
        JsonNode ss = body.get("sources");
        List<String> names = Arrays.stream(CreationSource.values()).map(CreationSource::apiName).toList();
        if (ss == null || !ss.isArray() || ss.isEmpty()) {
            errors.add(new FieldError("sources", "is required: a list of " + names));
        } else {
            for (int i = 0; i < ss.size(); i++) {
                CreationSource c = CreationSource.parse(ss.get(i).asText()).orElse(null);
                if (c == null || !ss.get(i).isTextual()) {
                    errors.add(new FieldError("sources[" + i + "]", "must be one of " + names));
                } else {
                    sources.add(c);
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
        List<Reviewer> reviewers = new ArrayList<>();
        JsonNode rs = body.get("reviewers");
        if (rs == null || !rs.isArray() || rs.isEmpty() || rs.size() > 50) {
            errors.add(new FieldError("reviewers", "is required: 1 to 50 reviewers (users, roles or groups)"));
        } else {
            for (int i = 0; i < rs.size(); i++) {
                JsonNode r = rs.get(i);
                String type = r.path("type").isTextual() ? r.get("type").textValue() : null;
                if (type == null || !Reviewer.TYPES.contains(type)) {
                    errors.add(new FieldError("reviewers[" + i + "].type", "must be one of " + new TreeSet<>(Reviewer.TYPES)));
                    continue;
                }
                UUID id = r.path("id").isTextual() ? Ids.parse(r.get("id").textValue()) : null;
                if (id == null) {
                    errors.add(new FieldError("reviewers[" + i + "].id", "is required: the id of the " + type));
                    continue;
                }
                reviewers.add(new Reviewer(type, id));
            }
        }
        Set<String> fields = new LinkedHashSet<>();
        JsonNode fs = body.get("fields");
        if (fs != null && !fs.isNull()) {
            if (!fs.isArray() || fs.isEmpty()) {
                errors.add(new FieldError("fields", "must be a non-empty list of field names (or absent: every field with a value)"));
            } else {
                for (int i = 0; i < fs.size(); i++) {
                    Field f = module.field(fs.get(i).asText()).orElse(null);
                    if (f == null || f.deleted()) {
                        errors.add(new FieldError("fields[" + i + "]", "unknown field in module " + module.apiName()));
                    } else {
                        fields.add(f.apiName());
                    }
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors.size() == 1 ? errors.get(0).field() + " " + errors.get(0).message()
                    : errors.size() + " properties are invalid", errors);
        }
        ObjectNode json = ((ObjectNode) body).deepCopy();
        json.put("module", module.apiName());
        return new ReviewProcess(name, module.apiName(), Set.copyOf(sources), criteria, List.copyOf(reviewers), List.copyOf(fields), json);
    }
}
