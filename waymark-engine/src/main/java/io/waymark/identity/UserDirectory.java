package io.waymark.identity;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Port: the users of an organisation, as far as records need them (owners, actors). */
public interface UserDirectory {
    /** Those of {@code ids} that are active users of the organisation. */
    Set<UUID> activeUsers(UUID orgId, Collection<UUID> ids);

    /** Display names of those of {@code ids} that are users of the organisation. */
    Map<UUID, String> names(UUID orgId, Collection<UUID> ids);

    /** The organisation's time zone: what "today" and "within the last N days" mean there. */
    java.time.ZoneId timeZone(UUID orgId);
}
