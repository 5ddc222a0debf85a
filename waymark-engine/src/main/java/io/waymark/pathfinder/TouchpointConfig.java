package io.waymark.pathfinder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An organisation's choice of what Path Finder reads from the signal log: which signal types are
 * touchpoints and how each is named on the map, and which identifiers tie signals to one
 * customer.
 *
 * <pre>{@code
 * {"touchpoints": [
 *    {"type": "web.visit", "label": "Website", "attribute": "page"},   // "Website: /tours/bali"
 *    {"type": "review.*", "label": "Review site", "attribute": "site"},
 *    {"type": "email.opened"}],                                        // named by its type
 *  "identifiers": [
 *    {"kind": "email", "attribute": "email", "field": "Email"},
 *    {"kind": "phone", "attribute": "phone", "field": "Phone"},
 *    {"kind": "visitor_id", "attribute": "visitor_id"},
 *    {"kind": "record_id", "attribute": "lead_id"}]}
 * }</pre>
 *
 * <p>A signal's subject always identifies its customer (a Lead converted to a Contact keeps its
 * subject, and a Deal or Case joins its Contact's). Identifiers add links between subjects: two
 * signals that carry the same email (in the payload {@code attribute}, or in the record field
 * {@code field} of a record's created or updated signal) belong to one customer, so an
 * anonymous visitor who later fills in a form as a lead stays one path.
 *
 * @param touchpoints signal types ({@code web.visit}; {@code web.*} for a family; {@code *} for
 *                    every type that is not Waymark's own) with an optional label and naming
 *                    attribute
 * @param identifiers kinds {@code email}, {@code phone}, {@code visitor_id} or {@code record_id},
 *                    each read from a payload attribute and/or a record field
 */
public record TouchpointConfig(List<Touchpoint> touchpoints, List<Identifier> identifiers) {
    public static final Set<String> KINDS = Set.of("email", "phone", "visitor_id", "record_id");
    private static final Pattern TYPE = Pattern.compile("^(\\*|[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*){0,4}(\\.\\*)?)$");
    private static final Pattern NAME = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]{0,63}$");
    /** Signal families Waymark writes itself: never touchpoints by a wildcard. */
    static final Set<String> OWN = Set.of("record", "lead", "action", "timer");

    public TouchpointConfig {
        touchpoints = List.copyOf(touchpoints);
        identifiers = List.copyOf(identifiers);
    }

    /**
     * What an organisation that has configured nothing gets: every signal that is not
     * Waymark's own is a touchpoint named by its type; customers are tied by email and an
     * anonymous visitor id.
     */
    public static TouchpointConfig defaults() {
        return new TouchpointConfig(List.of(new Touchpoint("*", null, null)),
                List.of(new Identifier("email", "email", "Email"), new Identifier("visitor_id", "visitor_id", null)));
    }

    /** A kind of signal that counts as a touchpoint. */
    public record Touchpoint(String type, String label, String attribute) {
        /** Whether a signal type is this touchpoint. */
        public boolean matches(String signalType) {
            if (type.equals("*")) {
                int dot = signalType.indexOf('.');
                return dot < 0 || !OWN.contains(signalType.substring(0, dot));
            }
            if (type.endsWith(".*")) {
                return signalType.startsWith(type.substring(0, type.length() - 1));
            }
            return type.equals(signalType);
        }

        /** The name on the map of a signal whose naming attribute has {@code value} (null when absent). */
        public String name(String signalType, String value) {
            String base = label != null ? label : signalType;
            return attribute == null || value == null || value.isBlank() ? base : base + ": " + value;
        }
    }

    /** Something that ties signals to one customer. */
    public record Identifier(String kind, String attribute, String field) {
        /** The value as compared: emails without case, phones by their digits. */
        public String normalise(String raw) {
            if (raw == null) {
                return null;
            }
            String v = raw.strip();
            switch (kind) {
                case "email" -> v = v.toLowerCase(Locale.ROOT);
                case "phone" -> {
                    StringBuilder b = new StringBuilder();
                    for (char c : v.toCharArray()) {
                        if (c >= '0' && c <= '9') {
                            b.append(c);
                        }
                    }
                    v = b.toString();
                }
                case "record_id" -> v = v.toLowerCase(Locale.ROOT);
                default -> {
                }
            }
            return v.isEmpty() ? null : v;
        }
    }

    /** The first touchpoint a signal type matches (exact types before families), or null. */
    public Touchpoint touchpointOf(String signalType) {
        Touchpoint best = null;
        for (Touchpoint t : touchpoints) {
            if (t.matches(signalType)) {
                if (t.type().equals(signalType)) {
                    return t;
                }
                if (best == null || best.type().length() < t.type().length()) {
                    best = t;
                }
            }
        }
        return best;
    }

    /** Payload attributes the signal scan must fetch: naming attributes, then identifier attributes. */
    public List<String> attributes() {
        Set<String> out = new LinkedHashSet<>();
        touchpoints.forEach(t -> {
            if (t.attribute() != null) {
                out.add(t.attribute());
            }
        });
        identifiers.forEach(i -> {
            if (i.attribute() != null) {
                out.add(i.attribute());
            }
        });
        return List.copyOf(out);
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        ArrayNode tps = o.putArray("touchpoints");
        for (Touchpoint t : touchpoints) {
            ObjectNode n = tps.addObject().put("type", t.type());
            if (t.label() != null) {
                n.put("label", t.label());
            }
            if (t.attribute() != null) {
                n.put("attribute", t.attribute());
            }
        }
        ArrayNode ids = o.putArray("identifiers");
        for (Identifier i : identifiers) {
            ObjectNode n = ids.addObject().put("kind", i.kind());
            if (i.attribute() != null) {
                n.put("attribute", i.attribute());
            }
            if (i.field() != null) {
                n.put("field", i.field());
            }
        }
        return o;
    }

    /** Parses and validates the JSON form, naming every bad entry ({@code touchpoints[1].type}). */
    public static TouchpointConfig fromJson(JsonNode node) {
        List<FieldError> errors = new ArrayList<>();
        if (node == null || !node.isObject()) {
            throw new ValidationException("The touchpoint configuration must be a JSON object", List.of(new FieldError("body", "must be a JSON object")));
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("touchpoints") && !k.equals("identifiers")) {
                errors.add(new FieldError(k, "unknown property; expected touchpoints and identifiers"));
            }
        }
        List<Touchpoint> tps = new ArrayList<>();
        JsonNode t = node.get("touchpoints");
        if (t == null || !t.isArray() || t.isEmpty()) {
            errors.add(new FieldError("touchpoints", "is required: a non-empty array of {type, label, attribute}"));
        } else if (t.size() > 200) {
            errors.add(new FieldError("touchpoints", "holds at most 200 entries"));
        } else {
            Set<String> types = new java.util.HashSet<>();
            for (int i = 0; i < t.size(); i++) {
                String p = "touchpoints[" + i + "]";
                JsonNode e = t.get(i);
                if (!e.isObject()) {
                    errors.add(new FieldError(p, "must be an object"));
                    continue;
                }
                unknown(e, Set.of("type", "label", "attribute"), p, errors);
                String type = text(e, "type");
                if (type == null || !TYPE.matcher(type).matches()) {
                    errors.add(new FieldError(p + ".type", "must be a signal type (web.visit), a family (web.*) or *"));
                } else if (!types.add(type)) {
                    errors.add(new FieldError(p + ".type", "'" + type + "' is listed twice"));
                }
                String label = text(e, "label");
                if (e.has("label") && (label == null || label.isBlank() || label.length() > 100)) {
                    errors.add(new FieldError(p + ".label", "must be a non-empty text of at most 100 characters"));
                }
                String attribute = text(e, "attribute");
                if (e.has("attribute") && (attribute == null || !NAME.matcher(attribute).matches())) {
                    errors.add(new FieldError(p + ".attribute", "must be a payload attribute name (letters, digits, _)"));
                }
                tps.add(new Touchpoint(type, label, attribute));
            }
        }
        List<Identifier> ids = new ArrayList<>();
        JsonNode d = node.get("identifiers");
        if (d != null && !d.isNull()) {
            if (!d.isArray() || d.size() > 20) {
                errors.add(new FieldError("identifiers", "must be an array of at most 20 {kind, attribute, field}"));
            } else {
                for (int i = 0; i < d.size(); i++) {
                    String p = "identifiers[" + i + "]";
                    JsonNode e = d.get(i);
                    if (!e.isObject()) {
                        errors.add(new FieldError(p, "must be an object"));
                        continue;
                    }
                    unknown(e, Set.of("kind", "attribute", "field"), p, errors);
                    String kind = text(e, "kind");
                    if (kind == null || !KINDS.contains(kind)) {
                        errors.add(new FieldError(p + ".kind", "must be one of " + new java.util.TreeSet<>(KINDS)));
                    }
                    String attribute = text(e, "attribute");
                    String field = text(e, "field");
                    if (e.has("attribute") && (attribute == null || !NAME.matcher(attribute).matches())) {
                        errors.add(new FieldError(p + ".attribute", "must be a payload attribute name (letters, digits, _)"));
                    }
                    if (e.has("field") && (field == null || !NAME.matcher(field).matches())) {
                        errors.add(new FieldError(p + ".field", "must be a field API name"));
                    }
                    if (attribute == null && field == null) {
                        errors.add(new FieldError(p, "needs an attribute (of signal payloads) or a field (of records), or both"));
                    }
                    ids.add(new Identifier(kind, attribute, field));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors.size() == 1 ? errors.get(0).field() + " " + errors.get(0).message()
                    : errors.size() + " entries are invalid", errors);
        }
        return new TouchpointConfig(tps, ids);
    }

    private static void unknown(JsonNode e, Set<String> keys, String prefix, List<FieldError> errors) {
        for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!keys.contains(k)) {
                errors.add(new FieldError(prefix + "." + k, "unknown property; expected one of " + new java.util.TreeSet<>(keys)));
            }
        }
    }

    private static String text(JsonNode e, String key) {
        return e.path(key).isTextual() ? e.get(key).textValue() : null;
    }
}
