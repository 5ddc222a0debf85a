package io.waymark.identity;

import io.waymark.Actor;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Port: organisations, users, roles, profiles, groups, sharing rules, sessions, API tokens (only
 * as hashes) and the audit log. Every method joins the caller's transaction and, except the
 * lookups by secret hash or email, is scoped to one organisation.
 */
public interface IdentityStore extends UserDirectory {
    void createOrg(UUID orgId, String name, String timeZone, Instant at);

    boolean orgExists(UUID orgId);

    /** The organisation made at the first start, if any. */
    Optional<UUID> firstOrg();

    void createUser(UUID orgId, UUID userId, String email, String name, boolean admin, Instant at);

    /** Whether the user was made an administrator before profiles existed. */
    boolean isAdmin(UUID orgId, UUID userId);

    /** The first administrator of the organisation. */
    Optional<UUID> firstAdmin(UUID orgId);

    void createToken(UUID orgId, UUID tokenId, UUID userId, String name, String hash, Instant at, Instant expiresAt);

    /** The hash stored for a user's token of that name. */
    Optional<String> tokenHash(UUID orgId, UUID userId, String name);

    void replaceTokenHash(UUID orgId, UUID userId, String name, String hash);

    /** Makes the user's revoked or expired token with this hash valid again; false if there is none. */
    boolean reviveToken(UUID orgId, UUID userId, String hash);

    /** Who a token belongs to, if it is valid now (not revoked or expired, its user active). */
    default Optional<Actor> actorForToken(String hash, Instant now) {
        return tokenGrant(hash, now).map(TokenGrant::actor);
    }

    /** Who a valid token belongs to and until when it is valid (null: no expiry). */
    Optional<TokenGrant> tokenGrant(String hash, Instant now);

    /** A valid token's owner and expiry. */
    record TokenGrant(Actor actor, Instant expiresAt) {
    }

    // ------------------------------------------------------------ versions

    /** Moves on with every change of users, roles, profiles, groups or sharing rules. */
    long securityVersion(UUID orgId);

    void bumpSecurityVersion(UUID orgId);

    // ------------------------------------------------------------ users

    List<User> users(UUID orgId);

    Optional<User> user(UUID orgId, UUID userId);

    /** Whether another user of the organisation has this email (case-insensitive). */
    boolean emailTaken(UUID orgId, String email, UUID except);

    void insertUser(UUID orgId, User user, String passwordHash);

    /** Stores email, name, active, role and profile. */
    void updateUser(UUID orgId, User user);

    void setPassword(UUID orgId, UUID userId, String passwordHash);

    /** Active users of any organisation with this email, for a login. */
    List<LoginCandidate> loginCandidates(String email);

    void setLoginFailures(UUID orgId, UUID userId, int failures, Instant lockedUntil);

    /** A user who may log in with a password, with their lockout state. */
    record LoginCandidate(UUID orgId, UUID userId, String passwordHash, int failures, Instant lockedUntil) {
    }

    // ------------------------------------------------------------ tokens and sessions

    /** Tokens of the organisation, of one user when {@code userId} is not null. */
    List<ApiToken> tokens(UUID orgId, UUID userId);

    Optional<ApiToken> token(UUID orgId, UUID tokenId);

    void revokeToken(UUID orgId, UUID tokenId, Instant at);

    void revokeTokens(UUID orgId, UUID userId, Instant at);

    void createSession(UUID orgId, UUID sessionId, UUID userId, String secretHash, String csrfHash, Instant at, Instant expiresAt);

    /** A session valid now (not revoked or expired, its user active) by the hash of its secret. */
    Optional<LiveSession> liveSession(String secretHash, Instant now);

    /** A valid session and whose it is. */
    record LiveSession(UUID sessionId, UUID orgId, UUID userId, String csrfHash, Instant expiresAt) {
    }

    List<Session> sessions(UUID orgId, UUID userId);

    Optional<Session> session(UUID orgId, UUID sessionId);

    void revokeSession(UUID orgId, UUID sessionId, Instant at);

    void revokeSessions(UUID orgId, UUID userId, Instant at);

    // ------------------------------------------------------------ roles, profiles, groups, sharing

    List<Role> roles(UUID orgId);

    void insertRole(UUID orgId, Role role, Instant at);

    void updateRole(UUID orgId, Role role);

    void deleteRole(UUID orgId, UUID roleId);

    List<Profile> profiles(UUID orgId);

    void insertProfile(UUID orgId, Profile profile, Instant at);

    void updateProfile(UUID orgId, Profile profile);

    void deleteProfile(UUID orgId, UUID profileId);

    List<Group> groups(UUID orgId);

    void insertGroup(UUID orgId, Group group, Instant at);

    /** Stores name, description and replaces the members. */
    void updateGroup(UUID orgId, Group group);

    void deleteGroup(UUID orgId, UUID groupId);

    /** Removes a user from every group (when deactivated). */
    void leaveGroups(UUID orgId, UUID userId);

    List<SharingRule> sharingRules(UUID orgId);

    void insertSharingRule(UUID orgId, SharingRule rule, Instant at);

    void deleteSharingRule(UUID orgId, UUID ruleId);

    /** Those of {@code userIds} that hold any of {@code roleIds}. */
    Set<UUID> usersInRoles(UUID orgId, Set<UUID> roleIds);

    // ------------------------------------------------------------ audit

    void appendAudit(UUID orgId, AuditEvent event);

    /**
     * Audit events oldest first, optionally of one type and within [from, to).
     *
     * @param after the id of the last event of the previous page, or null
     */
    List<AuditEvent> audit(UUID orgId, String type, Instant from, Instant to, int limit, UUID after);
}
