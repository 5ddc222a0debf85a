package io.waymark.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.error.ConflictException;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import java.util.List;

/**
 * The admin-set properties that ordered definitions (blueprints, approval processes) carry beside
 * their flow: {@code active}, {@code position} (evaluation order, 1 to 10,000) and the
 * {@code revision} a change names. Read from a request body with clear errors naming the field.
 */
public final class OrderedDefinitions {
    private static final List<String> ADMIN_KEYS = List.of("active", "position", "revision");

    private OrderedDefinitions() {
    }

    /** The body without the admin-set properties: the part that versions the flow. */
    public static ObjectNode flowPart(JsonNode body) {
        ObjectNode o = ((ObjectNode) body).deepCopy();
        o.remove(ADMIN_KEYS);
        return o;
    }

    /** A boolean property, or {@code dflt} when absent. */
    public static boolean bool(JsonNode body, String key, boolean dflt) {
        JsonNode n = body.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw new ValidationException("Invalid " + key, List.of(new FieldError(key, "must be true or false")));
        }
        return n.booleanValue();
    }

    /** The {@code position}, or {@code dflt} when absent. */
    public static int position(JsonNode body, int dflt) {
        JsonNode n = body.get("position");
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isIntegralNumber() || n.intValue() < 1 || n.intValue() > 10_000) {
            throw new ValidationException("Invalid position", List.of(new FieldError("position", "must be a whole number from 1 to 10000")));
        }
        return n.intValue();
    }

    /** Refuses a body that is not a JSON object (400 naming {@code body}). */
    public static void requireObject(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new ValidationException("A JSON object is required", List.of(new FieldError("body", "must be a JSON object")));
        }
    }

    /**
     * The definition a change asks for: the stored flow with the body's flow part laid over it.
     * Refuses a stale {@code revision} (409) and a change of {@code module} (400).
     *
     * @param label what the definition is, for messages ("Approval process 0190…")
     * @param noun  what it is called in field errors ("process", "blueprint")
     */
    public static ObjectNode changed(ObjectNode stored, String module, long revision, JsonNode body, String label, String noun) {
        requireObject(body);
        JsonNode rev = body.get("revision");
        if (rev != null && !rev.isNull() && (!rev.isIntegralNumber() || rev.longValue() != revision)) {
            throw new ConflictException(label + " is at revision " + revision + "; read it again and retry",
                    List.of(new FieldError("revision", "is stale: the " + noun + " is at revision " + revision)));
        }
        ObjectNode merged = stored.deepCopy();
        merged.setAll(flowPart(body));
        if (!merged.path("module").asText().equals(module)) {
            throw new ValidationException("The module of a " + noun + " cannot change", List.of(new FieldError("module", "cannot change; create a new " + noun)));
        }
        return merged;
    }
}
