package io.waymark.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.javalin.http.Context;
import io.waymark.criteria.CompactCriteria;
import io.waymark.criteria.Condition;
import io.waymark.criteria.Criteria;
import io.waymark.criteria.CriteriaException;
import io.waymark.criteria.Operator;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds list criteria from a request's query: {@code criteria} in the compact form
 * ({@code (Lead_Status:equals:New)}) or the structured JSON form, plus a shortcut where any
 * parameter named like a field ({@code ?Lead_Status=New}) is an {@code equals} test (or
 * {@code in}, when repeated). All of them are ANDed. Field names and values are checked by the
 * engine when it compiles the criteria; {@link Parsed#relabel} then points its errors back at
 * the query parameter the condition came from.
 */
final class CriteriaParams {
    private CriteriaParams() {
    }

    /**
     * Criteria and, for condition {@code i} (1-based, as the engine numbers them), the name of
     * the query parameter it came from.
     */
    record Parsed(Criteria criteria, List<String> sources) {
        /** The engine's error, with its {@code conditions[i]} / {@code pattern} fields renamed to request parameters. */
        ValidationException relabel(CriteriaException e) {
            List<FieldError> errors = new ArrayList<>();
            for (FieldError fe : e.errors()) {
                errors.add(relabel(fe));
            }
            return new ValidationException(e.getMessage(), errors);
        }

        private FieldError relabel(FieldError fe) {
            Matcher m = CONDITION.matcher(fe.field());
            if (m.matches()) {
                int i = Integer.parseInt(m.group(1));
                if (i >= 1 && i <= sources.size()) {
                    String source = sources.get(i - 1);
                    return source.equals(CRITERIA) ? new FieldError(CRITERIA, "condition " + i + ": " + fe.message())
                            : new FieldError(source, fe.message());
                }
            }
            return fe.field().startsWith("pattern") ? new FieldError(CRITERIA, "pattern: " + fe.message()) : fe;
        }
    }

    private static final String CRITERIA = "criteria";
    private static final Pattern CONDITION = Pattern.compile("conditions\\[(\\d+)].*");

    /** The criteria of the request (null inside when there are none). */
    static Parsed from(Context ctx) {
        Criteria base = parse(ctx.queryParam(CRITERIA));
        List<String> sources = new ArrayList<>();
        if (base != null) {
            base.conditions().forEach(c -> sources.add(CRITERIA));
        }
        List<Condition> shortcuts = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : ctx.queryParamMap().entrySet()) {
            String name = e.getKey();
            // Field API names start with a capital letter; lower-case names are the list's own parameters.
            if (name.isEmpty() || !Character.isUpperCase(name.charAt(0))) {
                continue;
            }
            List<JsonNode> values = e.getValue().stream().map(v -> (JsonNode) TextNode.valueOf(v)).toList();
            shortcuts.add(new Condition(name, values.size() == 1 ? Operator.EQUALS : Operator.IN, values));
            sources.add(name);
        }
        if (shortcuts.isEmpty()) {
            return new Parsed(base, sources);
        }
        if (base == null) {
            return new Parsed(Criteria.of(shortcuts, null), sources);
        }
        List<Condition> all = new ArrayList<>(base.conditions());
        all.addAll(shortcuts);
        String pattern = null;
        if (base.pattern() != null && !base.pattern().isBlank()) {
            StringBuilder p = new StringBuilder("(").append(base.pattern()).append(')');
            for (int i = base.conditions().size() + 1; i <= all.size(); i++) {
                p.append(" AND ").append(i);
            }
            pattern = p.toString();
        }
        return new Parsed(Criteria.of(all, pattern), sources);
    }

    static Criteria parse(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String text = raw.strip();
        if (text.startsWith("(")) {
            return CompactCriteria.parse(text);
        }
        if (text.startsWith("{")) {
            return structured(text);
        }
        throw invalid("criteria", "must be the compact form, e.g. (Lead_Status:equals:New), or a JSON object with conditions and pattern");
    }

    private static Criteria structured(String text) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw invalid(CRITERIA, "malformed JSON: " + e.getOriginalMessage());
        }
        List<FieldError> errors = new ArrayList<>();
        JsonNode conds = node.get("conditions");
        List<Condition> conditions = new ArrayList<>();
        if (conds == null || !conds.isArray() || conds.isEmpty()) {
            errors.add(new FieldError(CRITERIA, "conditions must be a non-empty array"));
        } else {
            int i = 0;
            for (JsonNode c : conds) {
                // 0-based like every JSON path in errors; the pattern's numbers start at 1.
                String where = "conditions[" + i++ + "]";
                String field = c.path("field").isTextual() ? c.get("field").textValue() : null;
                if (field == null || field.isBlank()) {
                    errors.add(new FieldError(CRITERIA, where + ".field is required"));
                }
                Operator op = c.path("operator").isTextual() ? Operator.fromApiName(c.get("operator").textValue()).orElse(null) : null;
                if (op == null) {
                    errors.add(new FieldError(CRITERIA, where + ".operator must be one of "
                            + Arrays.stream(Operator.values()).map(Operator::apiName).toList()));
                }
                List<JsonNode> values = new ArrayList<>();
                if (c.has("values")) {
                    if (!c.get("values").isArray()) {
                        errors.add(new FieldError(CRITERIA, where + ".values must be an array"));
                    } else {
                        c.get("values").forEach(values::add);
                    }
                } else if (c.has("value")) {
                    values.add(c.get("value"));
                }
                conditions.add(new Condition(field, op, values));
            }
        }
        JsonNode p = node.get("pattern");
        if (p != null && !p.isNull() && !p.isTextual()) {
            errors.add(new FieldError(CRITERIA, "pattern must be a string such as \"1 AND (2 OR 3)\""));
        }
        for (java.util.Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("conditions") && !k.equals("pattern")) {
                errors.add(new FieldError(CRITERIA, "unknown property '" + k + "'; expected conditions and pattern"));
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException("Invalid criteria", errors);
        }
        return Criteria.of(conditions, p == null || p.isNull() ? null : p.textValue());
    }

    private static ValidationException invalid(String name, String message) {
        return Params.invalid(name, message);
    }
}
