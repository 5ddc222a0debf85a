package io.waymark.store;

import io.waymark.Actor;
import io.waymark.identity.IdentityStore;
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

/** Organisations, users and token hashes. */
final class JdbcIdentityStore implements IdentityStore {
    private final JdbcTransactor tx;
    private final Map<UUID, ZoneId> zones = new ConcurrentHashMap<>();

    JdbcIdentityStore(JdbcTransactor tx) {
        this.tx = tx;
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
        return tx.with(h -> h.createQuery("SELECT id FROM users WHERE org_id = :org AND is_admin ORDER BY created_at, id LIMIT 1")
                .bind("org", orgId).mapTo(UUID.class).findOne());
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
    public void replaceTokenHash(UUID orgId, UUID userId, String name, String hash) {
        tx.with(h -> h.createUpdate("UPDATE api_tokens SET token_hash = :hash WHERE org_id = :org AND user_id = :user AND name = :name "
                        + "AND revoked_at IS NULL")
                .bind("hash", hash).bind("org", orgId).bind("user", userId).bind("name", name).execute());
    }

    @Override
    public Optional<Actor> actorForToken(String hash, Instant now) {
        // Plain JDBC: this runs on every request.
        return sql(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT t.org_id, t.user_id FROM api_tokens t JOIN users u ON u.id = t.user_id "
                    + "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?) AND u.active")) {
                ps.setString(1, hash);
                ps.setObject(2, utc(now));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Actor(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class))) : Optional.<Actor>empty();
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
