package io.waymark.criteria;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One test on one field, as written by a person: values are still JSON (numbers, strings,
 * booleans) and are checked against the field's type when the criteria are compiled.
 */
public record Condition(String field, Operator operator, List<JsonNode> values) {
    public Condition {
        values = values == null ? List.of() : List.copyOf(values);
    }
}
