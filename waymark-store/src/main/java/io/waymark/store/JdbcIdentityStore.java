package io.waymark.store;

import io.waymark.Actor;
import io.waymark.identity.ApiToken;
import io.waymark.identity.AuditEvent;
import io.waymark.identity.Group;
import io.waymark.identity.IdentityStore;
import io.waymark.identity.Permissions;
import io.waymark.identity.Profile;
import io.waymark.identity.Role;
import io.waymark.identity.Session;
import io.waymark.identity.SharingRule;
import io.waymark.identity.User;
import io.waymark.json.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** Organisations, users, roles, profiles, groups, sharing rules, sessions, token hashes and the audit log. */
final class JdbcIdentityStore implements IdentityStore {
    private final JdbcTransactor tx;
    private final Map<UUID, ZoneId> zones = new ConcurrentHashMap<>();

    JdbcIdentityStore(JdbcTransactor tx) {
        this.tx = tx;
    }

    /** A UUID that may be null: bound untyped so that PostgreSQL accepts a null UUID. */
    private static org.jdbi.v3.core.argument.Argument uuid(UUID value) {
        return (position, statement, ctx) -> {
            if (value == null) {
                statement.setNull(position, java.sql.Types.NULL);
            } else {
                statement.setObject(position, value);
            }
        };
    }

    private static OffsetDateTime utc(Instant t) {
        return t == null ? null : OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    @Override
    public void createOrg(UUID orgId, String name, String timeZone, Instant at) {
        tx.with(h -> h.createUpdate("INSERT INTO orgs (id, name, time_zone, metadata_version, created_at) VALUES (:id, :name, :tz, 0, :at)")
                .bind("id", orgId).bind("name", name).bind("tz", timeZone).bind("at", utc(at)).execute());
    }

    @Override
    public Optional<UUID> firstOrg() {
        return tx.with(h -> h.createQuery("SELECT id FROM orgs ORDER BY created_at, id LIMIT 1").mapTo(UUID.class).findOne());
    }

    @Override
    public void createUser(UUID orgId, UUID userId, String email, String name, boolean admin, Instant at) {
        tx.with(h -> h.createUpdate("INSERT INTO users (id, org_id, email, name, is_admin, active, created_at) "
                        + "VALUES (:id, :org, :email, :name, :admin, TRUE, :at)")
                .bind("id", userId).bind("org", orgId).bind("email", email).bind("name", name).bind("admin", admin).bind("at", utc(at))
                .execute());
    }

    @Override
    public Optional<UUID> firstAdmin(UUID orgId) {
        return tx.with(h -> h.createQuery("SELECT u.id FROM users u LEFT JOIN id_profiles p ON p.id = u.profile_id "
                        + "WHERE u.org_id = :org AND (u.is_admin OR p.builtin) ORDER BY u.created_at, u.id LIMIT 1")
                .bind("org", orgId).mapTo(UUID.class).findOne());
    }

    @Override
    public boolean isAdmin(UUID orgId, UUID userId) {
        return tx.with(h -> h.createQuery("SELECT is_admin FROM users WHERE org_id = :org AND id = :id").bind("org", orgId).bind("id", userId)
                .mapTo(Boolean.class).findOne().orElse(false));
    }

    @Override
    public boolean orgExists(UUID orgId) {
        return tx.with(h -> h.createQuery("SELECT COUNT(*) FROM orgs WHERE id = :id").bind("id", orgId).mapTo(Long.class).one() > 0);
    }

    // ------------------------------------------------------------ versions

    @Override
    public long securityVersion(UUID orgId) {
        return sql(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT security_version FROM orgs WHERE id = ?")) {
                ps.setObject(1, orgId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : -1L;
                }
            }
        });
    }

    @Override
    public void bumpSecurityVersion(UUID orgId) {
        tx.with(h -> h.createUpdate("UPDATE orgs SET security_version = security_version + 1 WHERE id = :id").bind("id", orgId).execute());
    }

    // ------------------------------------------------------------ users

    private static final String USER_COLUMNS = "id, email, name, active, role_id, profile_id, password_hash IS NOT NULL AS has_password, "
            + "locked_until, created_at";

    private static User user(ResultSet rs) throws SQLException {
        return new User(rs.getObject("id", UUID.class), rs.getString("email"), rs.getString("name"), rs.getBoolean("active"),
                rs.getObject("role_id", UUID.class), rs.getObject("profile_id", UUID.class), rs.getBoolean("has_password"),
                Columns.instant(rs, "locked_until"), Columns.instant(rs, "created_at"));
    }

    @Override
    public List<User> users(UUID orgId) {
        return tx.with(h -> h.createQuery("SELECT " + USER_COLUMNS + " FROM users WHERE org_id = :org ORDER BY created_at, id")
                .bind("org", orgId).map((rs, ctx) -> user(rs)).list());
    }

    @Override
    public Optional<User> user(UUID orgId, UUID userId) {
        return tx.with(h -> h.createQuery("SELECT " + USER_COLUMNS + " FROM users WHERE org_id = :org AND id = :id")
                .bind("org", orgId).bind("id", userId).map((rs, ctx) -> user(rs)).findOne());
    }

    @Override
    public boolean emailTaken(UUID orgId, String email, UUID except) {
        UUID other = except == null ? new UUID(0, 0) : except;
        return tx.with(h -> h.createQuery("SELECT COUNT(*) FROM users WHERE org_id = :org AND LOWER(email) = :email AND id <> :except")
                .bind("org", orgId).bind("email", email.toLowerCase(Locale.ROOT)).bind("except", other).mapTo(Long.class).one() > 0);
    }

    @Override
    public void insertUser(UUID orgId, User u, String passwordHash) {
        tx.with(h -> h.createUpdate("INSERT INTO users (id, org_id, email, name, is_admin, active, created_at, password_hash, role_id, profile_id) "
                        + "VALUES (:id, :org, :email, :name, FALSE, :active, :at, :hash, :role, :profile)")
                .bind("id", u.id()).bind("org", orgId).bind("email", u.email()).bind("name", u.name()).bind("active", u.active())
                .bind("at", utc(u.createdAt())).bind("hash", passwordHash).bind("role", uuid(u.roleId())).bind("profile", uuid(u.profileId())).execute());
    }

    @Override
    public void updateUser(UUID orgId, User u) {
        tx.with(h -> h.createUpdate("UPDATE users SET email = :email, name = :name, active = :active, role_id = :role, profile_id = :profile "
                        + "WHERE org_id = :org AND id = :id")
                .bind("id", u.id()).bind("org", orgId).bind("email", u.email()).bind("name", u.name()).bind("active", u.active())
                .bind("role", uuid(u.roleId())).bind("profile", uuid(u.profileId())).execute());
    }

    @Override
    public void setPassword(UUID orgId, UUID userId, String passwordHash) {
        tx.with(h -> h.createUpdate("UPDATE users SET password_hash = :hash WHERE org_id = :org AND id = :id")
                .bind("hash", passwordHash).bind("org", orgId).bind("id", userId).execute());
    }

    @Override
    public List<LoginCandidate> loginCandidates(String email) {
        return tx.with(h -> h.createQuery("SELECT org_id, id, password_hash, failed_logins, locked_until FROM users "
                        + "WHERE LOWER(email) = :email AND active AND password_hash IS NOT NULL ORDER BY created_at, id")
                .bind("email", email.toLowerCase(Locale.ROOT))
                .map((rs, ctx) -> new LoginCandidate(rs.getObject("org_id", UUID.class), rs.getObject("id", UUID.class),
                        rs.getString("password_hash"), rs.getInt("failed_logins"), Columns.instant(rs, "locked_until"))).list());
    }

    @Override
    public void setLoginFailures(UUID orgId, UUID userId, int failures, Instant lockedUntil) {
        tx.with(h -> h.createUpdate("UPDATE users SET failed_logins = :f, locked_until = :until WHERE org_id = :org AND id = :id")
                .bind("f", failures).bind("until", utc(lockedUntil)).bind("org", orgId).bind("id", userId).execute());
    }

    // ------------------------------------------------------------ tokens and sessions

    private static ApiToken token(ResultSet rs) throws SQLException {
        return new ApiToken(rs.getObject("id", UUID.class), rs.getObject("user_id", UUID.class), rs.getString("name"),
                Columns.instant(rs, "created_at"), Columns.instant(rs, "expires_at"), Columns.instant(rs, "revoked_at"));
    }

    @Override
    public List<ApiToken> tokens(UUID orgId, UUID userId) {
        return tx.with(h -> {
            var q = h.createQuery("SELECT id, user_id, name, created_at, expires_at, revoked_at FROM api_tokens WHERE org_id = :org"
                    + (userId == null ? "" : " AND user_id = :user") + " ORDER BY created_at, id").bind("org", orgId);
            if (userId != null) {
                q.bind("user", userId);
            }
            return q.map((rs, ctx) -> token(rs)).list();
        });
    }

    @Override
    public Optional<ApiToken> token(UUID orgId, UUID tokenId) {
        return tx.with(h -> h.createQuery("SELECT id, user_id, name, created_at, expires_at, revoked_at FROM api_tokens "
                        + "WHERE org_id = :org AND id = :id")
                .bind("org", orgId).bind("id", tokenId).map((rs, ctx) -> token(rs)).findOne());
    }

    @Override
    public void revokeToken(UUID orgId, UUID tokenId, Instant at) {
        tx.with(h -> h.createUpdate("UPDATE api_tokens SET revoked_at = :at WHERE org_id = :org AND id = :id AND revoked_at IS NULL")
                .bind("at", utc(at)).bind("org", orgId).bind("id", tokenId).execute());
    }

    @Override
    public void revokeTokens(UUID orgId, UUID userId, Instant at) {
        tx.with(h -> h.createUpdate("UPDATE api_tokens SET revoked_at = :at WHERE org_id = :org AND user_id = :user AND revoked_at IS NULL")
                .bind("at", utc(at)).bind("org", orgId).bind("user", userId).execute());
    }

    @Override
    public void createSession(UUID orgId, UUID sessionId, UUID userId, String secretHash, String csrfHash, Instant at, Instant expiresAt) {
        tx.with(h -> h.createUpdate("INSERT INTO id_sessions (id, org_id, user_id, secret_hash, csrf_hash, created_at, expires_at) "
                        + "VALUES (:id, :org, :user, :secret, :csrf, :at, :exp)")
                .bind("id", sessionId).bind("org", orgId).bind("user", userId).bind("secret", secretHash).bind("csrf", csrfHash)
                .bind("at", utc(at)).bind("exp", utc(expiresAt)).execute());
    }

    @Override
    public Optional<LiveSession> liveSession(String secretHash, Instant now) {
        return sql(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT s.id, s.org_id, s.user_id, s.csrf_hash, s.expires_at FROM id_sessions s "
                    + "JOIN users u ON u.id = s.user_id WHERE s.secret_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND u.active")) {
                ps.setString(1, secretHash);
                ps.setObject(2, utc(now));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new LiveSession(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                            rs.getObject(3, UUID.class), rs.getString(4), Columns.instant(rs, "expires_at"))) : Optional.<LiveSession>empty();
                }
            }
        });
    }

    private static Session session(ResultSet rs) throws SQLException {
        return new Session(rs.getObject("id", UUID.class), rs.getObject("user_id", UUID.class), Columns.instant(rs, "created_at"),
                Columns.instant(rs, "expires_at"), Columns.instant(rs, "revoked_at"));
    }

    @Override
    public List<Session> sessions(UUID orgId, UUID userId) {
        return tx.with(h -> h.createQuery("SELECT id, user_id, created_at, expires_at, revoked_at FROM id_sessions "
                        + "WHERE org_id = :org AND user_id = :user ORDER BY created_at, id")
                .bind("org", orgId).bind("user", userId).map((rs, ctx) -> session(rs)).list());
    }

    @Override
    public Optional<Session> session(UUID orgId, UUID sessionId) {
        return tx.with(h -> h.createQuery("SELECT id, user_id, created_at, expires_at, revoked_at FROM id_sessions WHERE org_id = :org AND id = :id")
                .bind("org", orgId).bind("id", sessionId).map((rs, ctx) -> session(rs)).findOne());
    }

    @Override
    public void revokeSession(UUID orgId, UUID sessionId, Instant at) {
        tx.with(h -> h.createUpdate("UPDATE id_sessions SET revoked_at = :at WHERE org_id = :org AND id = :id AND revoked_at IS NULL")
                .bind("at", utc(at)).bind("org", orgId).bind("id", sessionId).execute());
    }

    @Override
    public void revokeSessions(UUID orgId, UUID userId, Instant at) {
        tx.with(h -> h.createUpdate("UPDATE id_sessions SET revoked_at = :at WHERE org_id = :org AND user_id = :user AND revoked_at IS NULL")
                .bind("at", utc(at)).bind("org", orgId).bind("user", userId).execute());
    }

    // ------------------------------------------------------------ roles, profiles, groups, sharing

    @Override
    public List<Role> roles(UUID orgId) {
        return tx.with(h -> h.createQuery("SELECT id, name, parent_id, share_with_peers FROM id_roles WHERE org_id = :org ORDER BY created_at, id")
                .bind("org", orgId).map((rs, ctx) -> new Role(rs.getObject("id", UUID.class), rs.getString("name"),
                        rs.getObject("parent_id", UUID.class), rs.getBoolean("share_with_peers"))).list());
    }

    @Override
    public void insertRole(UUID orgId, Role role, Instant at) {
        tx.with(h -> h.createUpdate("INSERT INTO id_roles (id, org_id, name, parent_id, share_with_peers, created_at) "
                        + "VALUES (:id, :org, :name, :parent, :peers, :at)")
                .bind("id", role.id()).bind("org", orgId).bind("name", role.name()).bind("parent", uuid(role.parentId()))
                .bind("peers", role.shareWithPeers()).bind("at", utc(at)).execute());
    }

    @Override
    public void updateRole(UUID orgId, Role role) {
        tx.with(h -> h.createUpdate("UPDATE id_roles SET name = :name, parent_id = :parent, share_with_peers = :peers WHERE org_id = :org AND id = :id")
                .bind("id", role.id()).bind("org", orgId).bind("name", role.name()).bind("parent", uuid(role.parentId()))
                .bind("peers", role.shareWithPeers()).execute());
    }

    @Override
    public void deleteRole(UUID orgId, UUID roleId) {
        tx.with(h -> h.createUpdate("DELETE FROM id_roles WHERE org_id = :org AND id = :id").bind("org", orgId).bind("id", roleId).execute());
    }

    @Override
    public List<Profile> profiles(UUID orgId) {
        return tx.with(h -> h.createQuery("SELECT id, name, builtin, permissions FROM id_profiles WHERE org_id = :org ORDER BY builtin DESC, created_at, name")
                .bind("org", orgId).map((rs, ctx) -> {
                    List<io.waymark.error.FieldError> errors = new ArrayList<>();
                    Permissions p = Permissions.fromJson(Json.read(rs.getString("permissions")), "permissions", errors);
                    return new Profile(rs.getObject("id", UUID.class), rs.getString("name"), rs.getBoolean("builtin"),
                            p == null ? Permissions.NONE : p);
                }).list());
    }

    @Override
    public void insertProfile(UUID orgId, Profile p, Instant at) {
        tx.with(h -> h.createUpdate("INSERT INTO id_profiles (id, org_id, name, builtin, permissions, created_at) "
                        + "VALUES (:id, :org, :name, :builtin, :perms, :at)")
                .bind("id", p.id()).bind("org", orgId).bind("name", p.name()).bind("builtin", p.builtin())
                .bind("perms", Json.write(p.permissions().toJson())).bind("at", utc(at)).execute());
    }

    @Override
    public void updateProfile(UUID orgId, Profile p) {
        tx.with(h -> h.createUpdate("UPDATE id_profiles SET name = :name, permissions = :perms WHERE org_id = :org AND id = :id")
                .bind("id", p.id()).bind("org", orgId).bind("name", p.name()).bind("perms", Json.write(p.permissions().toJson())).execute());
    }

    @Override
    public void deleteProfile(UUID orgId, UUID profileId) {
        tx.with(h -> h.createUpdate("DELETE FROM id_profiles WHERE org_id = :org AND id = :id").bind("org", orgId).bind("id", profileId).execute());
    }

    @Override
    public List<Group> groups(UUID orgId) {
        return tx.with(h -> {
            Map<UUID, Set<UUID>> members = new HashMap<>();
            h.createQuery("SELECT group_id, user_id FROM id_group_members WHERE org_id = :org").bind("org", orgId)
                    .map((rs, ctx) -> {
                        members.computeIfAbsent(rs.getObject("group_id", UUID.class), k -> new LinkedHashSet<>()).add(rs.getObject("user_id", UUID.class));
                        return 0;
                    }).list();
            return h.createQuery("SELECT id, name, description FROM id_groups WHERE org_id = :org ORDER BY created_at, id").bind("org", orgId)
                    .map((rs, ctx) -> new Group(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("description"),
                            members.getOrDefault(rs.getObject("id", UUID.class), Set.of()))).list();
        });
    }

    @Override
    public void insertGroup(UUID orgId, Group g, Instant at) {
        tx.with(h -> h.createUpdate("INSERT INTO id_groups (id, org_id, name, description, created_at) VALUES (:id, :org, :name, :d, :at)")
                .bind("id", g.id()).bind("org", orgId).bind("name", g.name()).bind("d", g.description()).bind("at", utc(at)).execute());
        insertMembers(orgId, g);
    }

    private void insertMembers(UUID orgId, Group g) {
        tx.with(h -> {
            for (UUID u : g.members()) {
                h.createUpdate("INSERT INTO id_group_members (group_id, user_id, org_id) VALUES (:g, :u, :org)")
                        .bind("g", g.id()).bind("u", u).bind("org", orgId).execute();
            }
            return null;
        });
    }

    @Override
    public void updateGroup(UUID orgId, Group g) {
        tx.with(h -> {
            h.createUpdate("UPDATE id_groups SET name = :name, description = :d WHERE org_id = :org AND id = :id")
                    .bind("id", g.id()).bind("org", orgId).bind("name", g.name()).bind("d", g.description()).execute();
            return h.createUpdate("DELETE FROM id_group_members WHERE org_id = :org AND group_id = :id").bind("org", orgId).bind("id", g.id()).execute();
        });
        insertMembers(orgId, g);
    }

    @Override
    public void deleteGroup(UUID orgId, UUID groupId) {
        tx.with(h -> {
            h.createUpdate("DELETE FROM id_group_members WHERE org_id = :org AND group_id = :id").bind("org", orgId).bind("id", groupId).execute();
            return h.createUpdate("DELETE FROM id_groups WHERE org_id = :org AND id = :id").bind("org", orgId).bind("id", groupId).execute();
        });
    }

    @Override
    public void leaveGroups(UUID orgId, UUID userId) {
        tx.with(h -> h.createUpdate("DELETE FROM id_group_members WHERE org_id = :org AND user_id = :u").bind("org", orgId).bind("u", userId).execute());
    }

    @Override
    public List<SharingRule> sharingRules(UUID orgId) {
        return tx.with(h -> h.createQuery("SELECT id, module, grantee_kind, grantee_id, access FROM id_sharing_rules WHERE org_id = :org "
                        + "ORDER BY created_at, id")
                .bind("org", orgId).map((rs, ctx) -> new SharingRule(rs.getObject("id", UUID.class), rs.getString("module"),
                        SharingRule.Grantee.parse(rs.getString("grantee_kind")).orElseThrow(), rs.getObject("grantee_id", UUID.class),
                        rs.getString("access").equals("read_write"))).list());
    }

    @Override
    public void insertSharingRule(UUID orgId, SharingRule r, Instant at) {
        tx.with(h -> h.createUpdate("INSERT INTO id_sharing_rules (id, org_id, module, grantee_kind, grantee_id, access, created_at) "
                        + "VALUES (:id, :org, :module, :kind, :grantee, :access, :at)")
                .bind("id", r.id()).bind("org", orgId).bind("module", r.module()).bind("kind", r.grantee().apiName())
                .bind("grantee", r.granteeId()).bind("access", r.readWrite() ? "read_write" : "read_only").bind("at", utc(at)).execute());
    }

    @Override
    public void deleteSharingRule(UUID orgId, UUID ruleId) {
        tx.with(h -> h.createUpdate("DELETE FROM id_sharing_rules WHERE org_id = :org AND id = :id").bind("org", orgId).bind("id", ruleId).execute());
    }

    @Override
    public Set<UUID> usersInRoles(UUID orgId, Set<UUID> roleIds) {
        if (roleIds.isEmpty()) {
            return Set.of();
        }
        return tx.with(h -> new HashSet<>(h.createQuery("SELECT id FROM users WHERE org_id = :org AND role_id IN (<roles>)")
                .bind("org", orgId).bindList("roles", List.copyOf(roleIds)).mapTo(UUID.class).list()));
    }

    // ------------------------------------------------------------ audit

    @Override
    public void appendAudit(UUID orgId, AuditEvent e) {
        tx.with(h -> h.createUpdate("INSERT INTO id_audit (id, org_id, at, actor_id, type, target_id, detail) "
                        + "VALUES (:id, :org, :at, :actor, :type, :target, :detail)")
                .bind("id", e.id()).bind("org", orgId).bind("at", utc(e.at())).bind("actor", uuid(e.actorId())).bind("type", e.type())
                .bind("target", uuid(e.targetId())).bind("detail", Json.write(e.detail())).execute());
    }

    @Override
    public List<AuditEvent> audit(UUID orgId, String type, Instant from, Instant to, int limit, UUID after) {
        StringBuilder sql = new StringBuilder("SELECT id, at, actor_id, type, target_id, detail FROM id_audit WHERE org_id = :org");
        if (type != null) {
            sql.append(" AND type = :type");
        }
        if (from != null) {
            sql.append(" AND at >= :from");
        }
        if (to != null) {
            sql.append(" AND at < :to");
        }
        if (after != null) {
            sql.append(" AND (at > (SELECT a.at FROM id_audit a WHERE a.org_id = :org AND a.id = :after) OR (at = (SELECT a.at FROM id_audit a "
                    + "WHERE a.org_id = :org AND a.id = :after) AND id > :after))");
        }
        sql.append(" ORDER BY at, id LIMIT :limit");
        return tx.with(h -> {
            var q = h.createQuery(sql.toString()).bind("org", orgId).bind("limit", limit);
            if (type != null) {
                q.bind("type", type);
            }
            if (from != null) {
                q.bind("from", utc(from));
            }
            if (to != null) {
                q.bind("to", utc(to));
            }
            if (after != null) {
                q.bind("after", after);
            }
            return q.map((rs, ctx) -> new AuditEvent(rs.getObject("id", UUID.class), Columns.instant(rs, "at"), rs.getObject("actor_id", UUID.class),
                    rs.getString("type"), rs.getObject("target_id", UUID.class), (ObjectNode) Json.read(rs.getString("detail")))).list();
        });
    }

    @Override
    public void createToken(UUID orgId, UUID tokenId, UUID userId, String name, String hash, Instant at, Instant expiresAt) {
        tx.with(h -> h.createUpdate("INSERT INTO api_tokens (id, org_id, user_id, name, token_hash, created_at, expires_at) "
                        + "VALUES (:id, :org, :user, :name, :hash, :at, :exp)")
                .bind("id", tokenId).bind("org", orgId).bind("user", userId).bind("name", name).bind("hash", hash)
                .bind("at", utc(at)).bind("exp", utc(expiresAt)).execute());
    }

    @Override
    public Optional<String> tokenHash(UUID orgId, UUID userId, String name) {
        return tx.with(h -> h.createQuery("SELECT token_hash FROM api_tokens WHERE org_id = :org AND user_id = :user AND name = :name "
                        + "AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1")
                .bind("org", orgId).bind("user", userId).bind("name", name).mapTo(String.class).findOne());
    }

    @Override
    public boolean reviveToken(UUID orgId, UUID userId, String hash) {
        return tx.with(h -> h.createUpdate("UPDATE api_tokens SET revoked_at = NULL, expires_at = NULL WHERE org_id = :org AND user_id = :user "
                        + "AND token_hash = :hash").bind("org", orgId).bind("user", userId).bind("hash", hash).execute()) > 0;
    }

    @Override
    public void replaceTokenHash(UUID orgId, UUID userId, String name, String hash) {
        tx.with(h -> h.createUpdate("UPDATE api_tokens SET token_hash = :hash WHERE org_id = :org AND user_id = :user AND name = :name "
                        + "AND revoked_at IS NULL")
                .bind("hash", hash).bind("org", orgId).bind("user", userId).bind("name", name).execute());
    }

    @Override
    public Optional<TokenGrant> tokenGrant(String hash, Instant now) {
        // Plain JDBC: this runs on every request.
        return sql(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT t.org_id, t.user_id, t.expires_at FROM api_tokens t JOIN users u ON u.id = t.user_id "
                    + "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?) AND u.active")) {
                ps.setString(1, hash);
                ps.setObject(2, utc(now));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new TokenGrant(new Actor(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class)),
                            Columns.instant(rs, "expires_at"))) : Optional.<TokenGrant>empty();
                }
            }
        });
    }

    private <T> T sql(JdbcTransactor.ConnectionWork<T> work) {
        try {
            return tx.connection(work);
        } catch (SQLException e) {
            throw new IllegalStateException("Database error: " + e.getMessage(), e);
        }
    }

    @Override
    public Set<UUID> activeUsers(UUID orgId, Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        return tx.with(h -> new HashSet<>(h.createQuery("SELECT id FROM users WHERE org_id = :org AND active AND id IN (<ids>)")
                .bind("org", orgId).bindList("ids", ids.stream().toList()).mapTo(UUID.class).list()));
    }

    @Override
    public Map<UUID, String> names(UUID orgId, Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        return sql(c -> {
            Map<UUID, String> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, name FROM users WHERE id IN (?" + ", ?".repeat(ids.size() - 1) + ") AND org_id = ?")) {
                int i = 1;
                for (UUID id : ids) {
                    ps.setObject(i++, id);
                }
                ps.setObject(i, orgId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getObject(1, UUID.class), rs.getString(2));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public ZoneId timeZone(UUID orgId) {
        return zones.computeIfAbsent(orgId, id -> tx.with(h -> h.createQuery("SELECT time_zone FROM orgs WHERE id = :id").bind("id", id)
                .mapTo(String.class).findOne().map(ZoneId::of).orElse(ZoneOffset.UTC)));
    }
}
