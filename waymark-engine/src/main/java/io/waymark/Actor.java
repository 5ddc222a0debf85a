package io.waymark;

import java.util.Objects;
import java.util.UUID;

/**
 * Who does something, and in which organisation. Every engine call that reads or changes data
 * takes one: it scopes the call to the organisation and is recorded as the acting user on every
 * change.
 *
 * @param orgId  the organisation whose data the call may see
 * @param userId the acting user (an API token's owner, or a system user for automations)
 */
public record Actor(UUID orgId, UUID userId) {
    public Actor {
        Objects.requireNonNull(orgId, "orgId");
        Objects.requireNonNull(userId, "userId");
    }
}
