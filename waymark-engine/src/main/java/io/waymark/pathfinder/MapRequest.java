package io.waymark.pathfinder;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.record.FieldValues;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * What to discover: the classifier, which cases and events to look at, how far to simplify the
 * map, an optional goal, and how many variants to list.
 *
 * <p>JSON form ({@link #fromJson}), every key optional:
 * <pre>{@code
 * {"classifier": "name",
 *  "from": "2026-01-01T00:00:00Z", "to": "2026-04-01T00:00:00Z",
 *  "contains": ["Website"], "not_contains": ["Chat missed"],
 *  "customers": {"module": "Contacts", "criteria": "(Mailing_City:equals:Bali)"},
 *  "activities": "80%", "edges": 20,
 *  "goal": {"touchpoint": "Trip booked"}  or  {"module": "Trips", "field": "Status", "value": "Booked"},
 *  "variants": 20}
 * }</pre>
 *
 * @param classifier   how events are named ({@link Classifier#NAME} by default)
 * @param from         only events at or after this time, or null
 * @param to           only events before this time, or null
 * @param contains     only cases with every one of these activities
 * @param notContains  only cases with none of these activities
 * @param customers    only customers with a record matching these criteria (live log only), or null
 * @param activities   how many activities the map shows (all by default)
 * @param edges        how many edges the map shows (all by default)
 * @param goal         the goal for conversion and drop-off, or null
 * @param variants     how many of the most frequent variants to list (default 20, at most 1000)
 */
public record MapRequest(Classifier classifier, Instant from, Instant to, List<String> contains, List<String> notContains,
                         CustomerCriteria customers, Limit activities, Limit edges, Goal goal, int variants) {

    private static final Set<String> KEYS = Set.of("classifier", "from", "to", "contains", "not_contains", "customers", "activities",
            "edges", "goal", "variants");

    public MapRequest {
        classifier = classifier == null ? Classifier.NAME : classifier;
        contains = contains == null ? List.of() : List.copyOf(contains);
        notContains = notContains == null ? List.of() : List.copyOf(notContains);
        activities = activities == null ? Limit.ALL : activities;
        edges = edges == null ? Limit.ALL : edges;
    }

    /** Everything, named by {@code classifier}. */
    public static MapRequest all(Classifier classifier) {
        return new MapRequest(classifier, null, null, null, null, null, null, null, null, 20);
    }

    public MapRequest withVariants(int n) {
        return new MapRequest(classifier, from, to, contains, notContains, customers, activities, edges, goal, n);
    }

    /**
     * How much of something a simplified map keeps: a count of the most frequent, a percentage of
     * them (rounded up, at least one), or all.
     */
    public record Limit(int count, double percent) {
        public static final Limit ALL = new Limit(-1, 100);

        public boolean keepsAll() {
            return count < 0 && percent >= 100;
        }

        /** How many of {@code total} items to keep. */
        public int of(int total) {
            if (count >= 0) {
                return Math.min(count, total);
            }
            return total == 0 ? 0 : Math.max(1, (int) Math.ceil(total * percent / 100.0 - 1e-9));
        }

        /** Parses {@code 20}, {@code "20"} or {@code "80%"}. */
        static Limit parse(JsonNode node, String field, List<FieldError> errors) {
            if (node == null || node.isNull()) {
                return ALL;
            }
            String text = node.asText().strip();
            try {
                if (text.endsWith("%")) {
                    double p = Double.parseDouble(text.substring(0, text.length() - 1).strip());
                    if (p > 0 && p <= 100) {
                        return new Limit(-1, p);
                    }
                } else if (node.isIntegralNumber() || text.matches("\\d+")) {
                    int n = Integer.parseInt(text);
                    if (n >= 1) {
                        return new Limit(n, 100);
                    }
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            errors.add(new FieldError(field, "must be a count of at least 1 (e.g. 20) or a percentage above 0 and at most 100 (e.g. \"80%\")"));
            return ALL;
        }

        @Override
        public String toString() {
            return count >= 0 ? String.valueOf(count) : (percent == Math.rint(percent) ? String.valueOf((long) percent) : String.valueOf(percent)) + "%";
        }
    }

    /** Customers with at least one record of {@code module} that matches {@code criteria} (compact form). */
    public record CustomerCriteria(String module, String criteria) {
    }

    /** What counts as converting. */
    public sealed interface Goal {
        /** A readable name of the goal. */
        String label();
    }

    /** Reaching a touchpoint (an activity). The path of a converted case ends just before it. */
    public record TouchpointGoal(String touchpoint) implements Goal {
        @Override
        public String label() {
            return touchpoint;
        }
    }

    /**
     * A record reaching a state: a record of {@code module} created with, or changed to,
     * {@code field} = {@code value} (live log only). The path of a converted customer is the
     * touchpoints before that moment.
     */
    public record RecordStateGoal(String module, String field, String value) implements Goal {
        @Override
        public String label() {
            return module + "." + field + " = " + value;
        }
    }

    /** Parses the JSON form (null or missing gives everything); names each bad key. */
    public static MapRequest fromJson(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return all(Classifier.NAME);
        }
        List<FieldError> errors = new ArrayList<>();
        if (!node.isObject()) {
            throw new ValidationException("The discovery request must be a JSON object", List.of(new FieldError("body", "must be a JSON object")));
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                errors.add(new FieldError(k, "unknown property; expected one of " + new java.util.TreeSet<>(KEYS)));
            }
        }
        Classifier classifier = Classifier.NAME;
        try {
            classifier = Classifier.parse(node.path("classifier").isTextual() ? node.get("classifier").textValue() : null, "classifier");
        } catch (ValidationException e) {
            errors.addAll(e.errors());
        }
        Instant from = instant(node, "from", errors);
        Instant to = instant(node, "to", errors);
        if (from != null && to != null && !from.isBefore(to)) {
            errors.add(new FieldError("to", "must be after from"));
        }
        List<String> contains = strings(node, "contains", errors);
        List<String> notContains = strings(node, "not_contains", errors);
        CustomerCriteria customers = null;
        if (node.hasNonNull("customers")) {
            JsonNode c = node.get("customers");
            if (!c.isObject() || !c.path("module").isTextual() || !c.path("criteria").isTextual() || c.get("criteria").textValue().isBlank()) {
                errors.add(new FieldError("customers", "must be {\"module\": \"Contacts\", \"criteria\": \"(Field:operator:value)\"}"));
            } else {
                customers = new CustomerCriteria(c.get("module").textValue(), c.get("criteria").textValue());
            }
        }
        Limit activities = Limit.parse(node.get("activities"), "activities", errors);
        Limit edges = Limit.parse(node.get("edges"), "edges", errors);
        Goal goal = null;
        if (node.hasNonNull("goal")) {
            JsonNode g = node.get("goal");
            if (g.isObject() && g.path("touchpoint").isTextual() && !g.get("touchpoint").textValue().isBlank() && g.size() == 1) {
                goal = new TouchpointGoal(g.get("touchpoint").textValue());
            } else if (g.isObject() && g.path("module").isTextual() && g.path("field").isTextual() && g.has("value") && g.size() == 3
                    && !g.get("value").isContainerNode()) {
                goal = new RecordStateGoal(g.get("module").textValue(), g.get("field").textValue(), g.get("value").asText());
            } else {
                errors.add(new FieldError("goal", "must be {\"touchpoint\": \"…\"} or {\"module\": \"…\", \"field\": \"…\", \"value\": \"…\"}"));
            }
        }
        int variants = 20;
        if (node.hasNonNull("variants")) {
            JsonNode v = node.get("variants");
            if (!v.canConvertToInt() || !v.isIntegralNumber() || v.intValue() < 0 || v.intValue() > 1000) {
                errors.add(new FieldError("variants", "must be a whole number from 0 to 1000"));
            } else {
                variants = v.intValue();
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors.size() == 1 ? errors.get(0).field() + " " + errors.get(0).message()
                    : errors.size() + " parameters are invalid", errors);
        }
        return new MapRequest(classifier, from, to, contains, notContains, customers, activities, edges, goal, variants);
    }

    private static Instant instant(JsonNode node, String key, List<FieldError> errors) {
        if (!node.hasNonNull(key)) {
            return null;
        }
        Instant t = node.get(key).isTextual() ? FieldValues.parseInstant(node.get(key).textValue()) : null;
        if (t == null) {
            errors.add(new FieldError(key, "must be a date-time with an offset, e.g. 2026-05-01T09:30:00Z"));
        }
        return t;
    }

    private static List<String> strings(JsonNode node, String key, List<FieldError> errors) {
        if (!node.hasNonNull(key)) {
            return List.of();
        }
        JsonNode a = node.get(key);
        List<String> out = new ArrayList<>();
        if (a.isTextual()) {
            out.add(a.textValue());
            return out;
        }
        if (!a.isArray()) {
            errors.add(new FieldError(key, "must be an array of touchpoint names"));
            return List.of();
        }
        for (JsonNode s : a) {
            if (!s.isTextual()) {
                errors.add(new FieldError(key, "must be an array of touchpoint names"));
                return List.of();
            }
            out.add(s.textValue());
        }
        return out;
    }
}
