package io.waymark.identity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.json.Json;
import java.util.UUID;

/**
 * A named set of permissions that users are given. The seeded Administrator profile is
 * {@code builtin}: it cannot be changed or deleted, so an organisation never loses its admins.
 */
public record Profile(UUID id, String name, boolean builtin, Permissions permissions) {
    public static final String ADMINISTRATOR = "Administrator";
    public static final String STANDARD = "Standard";

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("id", id.toString());
        o.put("name", name);
        o.put("builtin", builtin);
        o.set("permissions", permissions.toJson());
        return o;
    }
}
