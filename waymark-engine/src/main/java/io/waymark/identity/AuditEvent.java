package io.waymark.identity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.json.Json;
import java.time.Instant;
import java.util.UUID;

/**
 * One security-relevant event: a login, a failed login, a change of users, roles, profiles,
 * groups or sharing rules, a token created or revoked, a data export.
 *
 * @param actorId who did it (null for a failed login of an unknown user)
 * @param detail  what changed; never a password, a token or a hash
 */
public record AuditEvent(UUID id, Instant at, UUID actorId, String type, UUID targetId, ObjectNode detail) {
    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("id", id.toString());
        o.put("at", at.toString());
        o.put("actor", actorId == null ? null : actorId.toString());
        o.put("type", type);
        o.put("target", targetId == null ? null : targetId.toString());
        o.set("detail", detail);
        return o;
    }
}
