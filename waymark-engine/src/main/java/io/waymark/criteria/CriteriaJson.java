package io.waymark.criteria;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * Reads criteria as definitions store them: either the compact string form
 * ({@code (Lead_Status:equals:New)}) or a JSON object
 * {@code {"conditions": [{"field", "operator", "value" | "values"}], "pattern": "1 AND 2"}}.
 * Errors name the JSON path under the given prefix, e.g. {@code elements[2].criteria.conditions[0].operator}.
 */
public final class CriteriaJson {
    private CriteriaJson() {
    }

    /** Parses criteria, or throws a {@link ValidationException} naming each problem under {@code path}. */
    public static Criteria parse(JsonNode node, String path) {
        List<FieldError> errors = new ArrayList<>();
        Criteria c = parse(node, path, errors);
        if (!errors.isEmpty()) {
            throw new ValidationException("Invalid criteria", errors);
        }
        return c;
    }

    /** Parses criteria, adding problems to {@code errors}; returns null when there were any. */
    public static Criteria parse(JsonNode node, String path, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            errors.add(new FieldError(path, "is required"));
            return null;
        }
        if (node.isTextual()) {
            try {
                return CompactCriteria.parse(node.textValue());
            } catch (ValidationException e) {
                errors.add(new FieldError(path, e.errors().isEmpty() ? e.getMessage() : e.errors().get(0).message()));
                return null;
            }
        }
        if (!node.isObject()) {
            errors.add(new FieldError(path, "must be the compact form, e.g. (Lead_Status:equals:New), or an object with conditions and pattern"));
            return null;
        }
        int before = errors.size();
        JsonNode conds = node.get("conditions");
        List<Condition> conditions = new ArrayList<>();
        if (conds == null || !conds.isArray() || conds.isEmpty()) {
            errors.add(new FieldError(path + ".conditions", "must be a non-empty array"));
        } else {
            int i = 0;
            for (JsonNode c : conds) {
                // 0-based like every JSON path in errors; the pattern's numbers start at 1.
                String where = path + ".conditions[" + i++ + "]";
                String field = c.path("field").isTextual() ? c.get("field").textValue() : null;
                if (field == null || field.isBlank()) {
                    errors.add(new FieldError(where + ".field", "is required"));
                }
                Operator op = c.path("operator").isTextual() ? Operator.fromApiName(c.get("operator").textValue()).orElse(null) : null;
                if (op == null) {
                    errors.add(new FieldError(where + ".operator", "must be one of "
                            + Arrays.stream(Operator.values()).map(Operator::apiName).toList()));
                }
                List<JsonNode> values = new ArrayList<>();
                if (c.has("values")) {
                    if (!c.get("values").isArray()) {
                        errors.add(new FieldError(where + ".values", "must be an array"));
                    } else {
                        c.get("values").forEach(values::add);
                    }
                } else if (c.has("value")) {
                    values.add(c.get("value"));
                }
                if (op != null && op.arity() >= 0 && values.size() != op.arity()) {
                    errors.add(new FieldError(where + ".values", op.apiName() + " takes " + op.arity() + " value(s), got " + values.size()));
                } else if (op != null && op.arity() < 0 && values.isEmpty()) {
                    errors.add(new FieldError(where + ".values", op.apiName() + " takes one or more values"));
                }
                conditions.add(new Condition(field, op, values));
            }
        }
        JsonNode p = node.get("pattern");
        if (p != null && !p.isNull() && !p.isTextual()) {
            errors.add(new FieldError(path + ".pattern", "must be a string such as \"1 AND (2 OR 3)\""));
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("conditions") && !k.equals("pattern")) {
                errors.add(new FieldError(path + "." + k, "unknown property; expected conditions and pattern"));
            }
        }
        if (errors.size() > before) {
            return null;
        }
        Criteria criteria = Criteria.of(conditions, p == null || p.isNull() ? null : p.textValue());
        try {
            criteria.expression();
        } catch (ValidationException e) {
            errors.add(new FieldError(path + ".pattern", e.errors().isEmpty() ? e.getMessage() : e.errors().get(0).message()));
            return null;
        }
        return criteria;
    }
}
