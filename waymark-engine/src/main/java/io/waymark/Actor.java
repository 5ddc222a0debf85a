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
    /** The user id automations act as: it is no user of any org and holds every permission. */
    public static final UUID SYSTEM_USER = new UUID(0L, 0L);

    public Actor {
        Objects.requireNonNull(orgId, "orgId");
        Objects.requireNonNull(userId, "userId");
    }

    /**
     * The actor automations (workflow rules, blueprints, cadences, journeys) act as inside an
     * organisation: it sees and may change every record of that organisation and nothing of any
     * other. Records it creates must be given an explicit {@code Owner}.
     */
    public static Actor system(UUID orgId) {
        return new Actor(orgId, SYSTEM_USER);
    }

    /** Whether this is {@link #system(UUID)}. */
    public boolean isSystem() {
        return SYSTEM_USER.equals(userId);
    }
}
