package io.waymark.identity;

import io.waymark.Actor;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** Port: organisations, users and API tokens (tokens only as hashes). */
public interface IdentityStore extends UserDirectory {
    void createOrg(UUID orgId, String name, String timeZone, Instant at);

    /** The organisation made at the first start, if any. */
    Optional<UUID> firstOrg();

    void createUser(UUID orgId, UUID userId, String email, String name, boolean admin, Instant at);

    /** The first administrator of the organisation. */
    Optional<UUID> firstAdmin(UUID orgId);

    void createToken(UUID orgId, UUID tokenId, UUID userId, String name, String hash, Instant at, Instant expiresAt);

    /** The hash stored for a user's token of that name. */
    Optional<String> tokenHash(UUID orgId, UUID userId, String name);

    void replaceTokenHash(UUID orgId, UUID userId, String name, String hash);

    /** Who a token belongs to, if it is valid now (not revoked or expired, its user active). */
    Optional<Actor> actorForToken(String hash, Instant now);
}
