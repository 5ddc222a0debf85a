package io.waymark.identity;

import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.error.UnauthorizedException;
import io.waymark.record.Metadata;
import io.waymark.tx.Transactor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

/**
 * Organisations, their first administrator and API tokens. A token is shown once and stored
 * only as its SHA-256 hash: tokens carry 256 random bits, so a fast hash is enough and a stolen
 * database reveals none of them.
 */
public final class Orgs {
    /** The name of the administrator's token that {@code WAYMARK_ADMIN_TOKEN} fixes. */
    public static final String BOOTSTRAP_TOKEN = "bootstrap";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** How long a validated token is trusted without asking the database again. */
    public static final long AUTH_CACHE_MILLIS = 2_000;

    private record Valid(Actor actor, long checkedAt, Instant expiresAt) {
    }

    private final java.util.Map<String, Valid> validTokens = new java.util.concurrent.ConcurrentHashMap<>();
    private final IdentityStore store;
    private final Metadata metadata;
    private final Access access;
    private final Transactor tx;
    private final Clock clock;

    public Orgs(IdentityStore store, Metadata metadata, Access access, Transactor tx, Clock clock) {
        this.store = store;
        this.metadata = metadata;
        this.access = access;
        this.tx = tx;
        this.clock = clock;
    }

    /** The name of the top role every new organisation starts with. */
    public static final String TOP_ROLE = "CEO";

    /**
     * A new organisation with the standard modules, the Administrator and Standard profiles, a
     * top role ({@link #TOP_ROLE}) and an administrator holding both.
     *
     * @param token the administrator's API token, or null for a random one
     */
    public Created create(String name, String adminEmail, String adminName, String token) {
        checkToken(token);
        UUID orgId = Ids.next(clock);
        UUID adminId = Ids.next(clock);
        String secret = token == null ? newToken() : token;
        tx.run(() -> {
            store.createOrg(orgId, name, "UTC", clock.instant());
            Seeds seeds = seed(orgId);
            store.insertUser(orgId, new User(adminId, adminEmail.toLowerCase(java.util.Locale.ROOT), adminName, true, seeds.topRole, seeds.administrator,
                    false, null, clock.instant()), null);
            store.createToken(orgId, Ids.next(clock), adminId, BOOTSTRAP_TOKEN, hash(secret), clock.instant(), null);
            metadata.installStandardModules(orgId);
        });
        return new Created(new Actor(orgId, adminId), secret, true);
    }

    /**
     * The first start: makes the organisation and its administrator if there is none yet. With a
     * fixed token the administrator's bootstrap token is set to it (also on later starts); without
     * one, a random token is made on the first start only and returned once.
     */
    public Created bootstrap(String name, String fixedToken) {
        checkToken(fixedToken);
        Optional<UUID> existing = store.firstOrg();
        if (existing.isEmpty()) {
            return create(name, "admin@localhost", "Administrator", fixedToken);
        }
        UUID orgId = existing.get();
        UUID adminId = store.firstAdmin(orgId).orElseThrow(() -> new IllegalStateException("organisation " + orgId + " has no administrator"));
        if (store.profiles(orgId).isEmpty()) {
            // An organisation made before profiles existed: its admins become Administrators, everyone else Standard.
            tx.run(() -> {
                Seeds seeds = seed(orgId);
                for (User u : store.users(orgId)) {
                    boolean admin = u.id().equals(adminId) || store.isAdmin(orgId, u.id());
                    store.updateUser(orgId, new User(u.id(), u.email(), u.name(), u.active(), admin ? seeds.topRole : null,
                            admin ? seeds.administrator : seeds.standard, u.hasPassword(), u.lockedUntil(), u.createdAt()));
                }
                store.bumpSecurityVersion(orgId);
            });
            access.changed(orgId);
        }
        if (fixedToken != null) {
            String h = hash(fixedToken);
            Optional<String> stored = store.tokenHash(orgId, adminId, BOOTSTRAP_TOKEN);
            if (stored.isEmpty()) {
                // The bootstrap token was revoked (or never made): make it again.
                tx.run(() -> {
                    if (!store.reviveToken(orgId, adminId, h)) {
                        store.createToken(orgId, Ids.next(clock), adminId, BOOTSTRAP_TOKEN, h, clock.instant(), null);
                    }
                });
            } else if (!stored.get().equals(h)) {
                tx.run(() -> store.replaceTokenHash(orgId, adminId, BOOTSTRAP_TOKEN, h));
                forgetValidTokens();
            }
        }
        return new Created(new Actor(orgId, adminId), null, false);
    }

    /**
     * Who presents this token; 401 when it is unknown, revoked or expired. A token found valid is
     * remembered for {@link #AUTH_CACHE_MILLIS} (wall time) so that a request does not pay a query
     * for it; a revocation therefore takes effect within that time on every node.
     */
    public Actor authenticate(String token) {
        if (token == null || token.isEmpty() || token.length() > 512) {
            throw new UnauthorizedException("A valid API token is required");
        }
        String h = hash(token);
        long now = System.nanoTime();
        Valid cached = validTokens.get(h);
        if (cached != null && now - cached.checkedAt < AUTH_CACHE_MILLIS * 1_000_000
                && (cached.expiresAt == null || cached.expiresAt.isAfter(clock.instant()))) {
            return cached.actor;
        }
        IdentityStore.TokenGrant grant = store.tokenGrant(h, clock.instant())
                .orElseThrow(() -> new UnauthorizedException("The API token is not valid"));
        if (validTokens.size() > 10_000) {
            validTokens.clear();
        }
        validTokens.put(h, new Valid(grant.actor(), now, grant.expiresAt()));
        return grant.actor();
    }

    /**
     * Forgets remembered tokens (after a token or user change on this node). Called by
     * {@link Users} on every revocation and deactivation, so those take effect at once here.
     */
    public void forgetValidTokens() {
        validTokens.clear();
    }

    private record Seeds(UUID administrator, UUID standard, UUID topRole) {
    }

    private Seeds seed(UUID orgId) {
        Seeds s = new Seeds(Ids.next(clock), Ids.next(clock), Ids.next(clock));
        store.insertProfile(orgId, new Profile(s.administrator, Profile.ADMINISTRATOR, true, Permissions.ADMINISTRATOR), clock.instant());
        store.insertProfile(orgId, new Profile(s.standard, Profile.STANDARD, false, Permissions.STANDARD), clock.instant());
        store.insertRole(orgId, new Role(s.topRole, TOP_ROLE, null, false), clock.instant());
        return s;
    }

    /**
     * Adds a user with the Standard profile and no role (so they see only their own records), for
     * embedding applications and tests; needs {@link Capability#MANAGE_USERS}. {@link Users}
     * offers the full model.
     */
    public UUID addUser(Actor actor, String email, String name) {
        access.require(actor, Capability.MANAGE_USERS);
        UUID id = Ids.next(clock);
        tx.run(() -> {
            UUID standard = store.profiles(actor.orgId()).stream().filter(p -> p.name().equals(Profile.STANDARD)).map(Profile::id)
                    .findFirst().orElse(null);
            store.insertUser(actor.orgId(), new User(id, email.toLowerCase(java.util.Locale.ROOT), name, true, null, standard, false, null,
                    clock.instant()), null);
            store.bumpSecurityVersion(actor.orgId());
        });
        access.changed(actor.orgId());
        return id;
    }

    /**
     * A new API token for a user; the secret is returned once. Another user's token needs
     * {@link Capability#MANAGE_USERS}.
     */
    public String issueToken(Actor actor, UUID userId, String name) {
        if (!userId.equals(actor.userId())) {
            access.require(actor, Capability.MANAGE_USERS);
        }
        String secret = newToken();
        tx.run(() -> store.createToken(actor.orgId(), Ids.next(clock), userId, name, hash(secret), clock.instant(), null));
        return secret;
    }

    private static void checkToken(String token) {
        if (token != null && (token.length() < 16 || token.length() > 512 || token.isBlank())) {
            throw new IllegalArgumentException("An admin token must have 16 to 512 characters");
        }
    }

    static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "wm_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An organisation and its administrator.
     *
     * @param token the administrator's token when it was just made (shown once), else null
     */
    public record Created(Actor admin, String token, boolean isNew) {
    }
}
