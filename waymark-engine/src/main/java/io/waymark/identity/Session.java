package io.waymark.identity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.json.Json;
import java.time.Instant;
import java.util.UUID;

/** A browser session as listed: never its secret, its CSRF token or their hashes. */
public record Session(UUID id, UUID userId, Instant createdAt, Instant expiresAt, Instant revokedAt) {
    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("id", id.toString());
        o.put("user", userId.toString());
        o.put("created_at", createdAt.toString());
        o.put("expires_at", expiresAt.toString());
        o.put("revoked_at", revokedAt == null ? null : revokedAt.toString());
        return o;
    }
}
