package io.waymark.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
}
