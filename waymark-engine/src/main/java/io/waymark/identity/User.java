package io.waymark.identity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.json.Json;
import java.time.Instant;
import java.util.UUID;

/**
 * A person (or integration) of an organisation. Never carries the password hash: the store keeps
 * it apart, and only {@link Users} verifies it.
 *
 * @param hasPassword whether the user can log in with a password
 * @param lockedUntil when repeated failed logins lock the account, until when; else null
 */
public record User(UUID id, String email, String name, boolean active, UUID roleId, UUID profileId, boolean hasPassword,
                   Instant lockedUntil, Instant createdAt) {
    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("id", id.toString());
        o.put("email", email);
        o.put("name", name);
        o.put("active", active);
        o.put("role", roleId == null ? null : roleId.toString());
        o.put("profile", profileId == null ? null : profileId.toString());
        o.put("has_password", hasPassword);
        o.put("locked_until", lockedUntil == null ? null : lockedUntil.toString());
        o.put("created_at", createdAt.toString());
        return o;
    }
}
