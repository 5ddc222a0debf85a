package io.waymark.identity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.json.Json;
import java.time.Instant;
import java.util.UUID;

/** A personal API token as listed: never its secret nor its hash. */
public record ApiToken(UUID id, UUID userId, String name, Instant createdAt, Instant expiresAt, Instant revokedAt) {
    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("id", id.toString());
        o.put("user", userId.toString());
        o.put("name", name);
        o.put("created_at", createdAt.toString());
        o.put("expires_at", expiresAt == null ? null : expiresAt.toString());
        o.put("revoked_at", revokedAt == null ? null : revokedAt.toString());
        return o;
    }
}
