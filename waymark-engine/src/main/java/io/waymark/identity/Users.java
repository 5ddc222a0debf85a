package io.waymark.identity;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.error.ConflictException;
import io.waymark.error.FieldError;
import io.waymark.error.NotFoundException;
import io.waymark.error.TooManyRequestsException;
import io.waymark.error.UnauthorizedException;
import io.waymark.error.ValidationException;
import io.waymark.tx.Transactor;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Users of an organisation, their passwords, browser sessions and personal API tokens.
 *
 * <ul>
 *   <li>Passwords are hashed with Argon2id ({@link Passwords}); after {@link #MAX_FAILURES}
 *       failed logins in a row an account is locked for a minute, doubling with every further
 *       failure up to an hour.</li>
 *   <li>A session's secret (the cookie) and its CSRF token are stored only as SHA-256 hashes;
 *       sessions last {@link #SESSION_LIFETIME}.</li>
 *   <li>API tokens are stored only as hashes, may expire, and are revoked one by one or all at
 *       once when their user is deactivated — with every session — taking effect at once on this
 *       node.</li>
 * </ul>
 * Changing other users needs {@link Capability#MANAGE_USERS}; everyone may read the directory
 * and manage their own password, sessions and tokens.
 */
public final class Users {
    public static final int MAX_FAILURES = 5;
    public static final Duration FIRST_LOCK = Duration.ofMinutes(1);
    public static final Duration LONGEST_LOCK = Duration.ofHours(1);
    public static final Duration SESSION_LIFETIME = Duration.ofHours(12);
    public static final int MIN_PASSWORD = 12;
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+$");

    private final IdentityStore store;
    private final Access access;
    private final AuditLog audit;
    private final Orgs orgs;
    private final Transactor tx;
    private final Clock clock;

    public Users(IdentityStore store, Access access, AuditLog audit, Orgs orgs, Transactor tx, Clock clock) {
        this.store = store;
        this.access = access;
        this.audit = audit;
        this.orgs = orgs;
        this.tx = tx;
        this.clock = clock;
    }

    // ------------------------------------------------------------ directory

    /** Every user of the actor's organisation. */
    public List<User> list(Actor actor) {
        return store.users(actor.orgId());
    }

    public User get(Actor actor, UUID id) {
        return store.user(actor.orgId(), id).orElseThrow(() -> new NotFoundException("No user has id " + id));
    }

    /**
     * Adds a user: {@code email}, {@code name}, optional {@code password}, {@code role} and
     * {@code profile} (ids; the Standard profile by default).
     */
    public User create(Actor actor, JsonNode body) {
        access.require(actor, Capability.MANAGE_USERS);
        Input in = Input.of(body, Set.of("email", "name", "password", "role", "profile"));
        String email = email(in, true);
        String name = in.text("name", 200, true);
        String password = in.raw("password", false);
        UUID role = in.id("role", false);
        UUID profile = in.id("profile", false);
        in.check();
        if (password != null) {
            checkPassword(password, email, "password");
        }
        if (role != null && roleOf(actor.orgId(), role) == null) {
            in.error("role", "no role has this id");
        }
        UUID given = profile;
        if (given == null) {
            profile = store.profiles(actor.orgId()).stream().filter(p -> p.name().equals(Profile.STANDARD)).map(Profile::id).findFirst()
                    .orElse(null);
        } else if (store.profiles(actor.orgId()).stream().noneMatch(p -> p.id().equals(given))) {
            in.error("profile", "no profile has this id");
        }
        in.check();
        if (store.emailTaken(actor.orgId(), email, null)) {
            throw new ConflictException("Another user already has this email", List.of(new FieldError("email", "is taken")));
        }
        UUID profileId = profile;
        User u = new User(Ids.next(clock), email, name, true, role, profileId, password != null, null, clock.instant());
        String hash = password == null ? null : Passwords.hash(password);
        tx.run(() -> {
            store.insertUser(actor.orgId(), u, hash);
            store.bumpSecurityVersion(actor.orgId());
            audit.record(actor.orgId(), actor.userId(), "user.created", u.id(),
                    AuditLog.detail("email", email, "role", role, "profile", u.profileId()));
        });
        access.changed(actor.orgId());
        return u;
    }

    /**
     * Changes {@code email}, {@code name}, {@code role}, {@code profile} or {@code active}.
     * Deactivating a user revokes all their sessions and tokens at once and takes them out of
     * their groups; no change may leave the organisation without an active user who manages users.
     */
    public User update(Actor actor, UUID id, JsonNode body) {
        access.require(actor, Capability.MANAGE_USERS);
        User before = get(actor, id);
        Input in = Input.of(body, Set.of("email", "name", "role", "profile", "active"));
        String email = in.has("email") ? email(in, true) : before.email();
        String name = in.has("name") ? in.text("name", 200, true) : before.name();
        UUID role = in.has("role") ? in.id("role", false) : before.roleId();
        UUID profile = in.has("profile") ? in.id("profile", true) : before.profileId();
        Boolean active = in.bool("active");
        in.check();
        if (role != null && !role.equals(before.roleId()) && roleOf(actor.orgId(), role) == null) {
            in.error("role", "no role has this id");
        }
        List<Profile> profiles = store.profiles(actor.orgId());
        if (profile != null && profiles.stream().noneMatch(p -> p.id().equals(profile))) {
            in.error("profile", "no profile has this id");
        }
        in.check();
        boolean nowActive = active == null ? before.active() : active;
        if (!nowActive && before.active() && id.equals(actor.userId())) {
            throw new ConflictException("You cannot deactivate yourself", List.of(new FieldError("active", "cannot deactivate yourself")));
        }
        if (!email.equals(before.email()) && store.emailTaken(actor.orgId(), email, id)) {
            throw new ConflictException("Another user already has this email", List.of(new FieldError("email", "is taken")));
        }
        User after = new User(id, email, name, nowActive, role, profile, before.hasPassword(), before.lockedUntil(), before.createdAt());
        Map<UUID, Profile> byId = profiles.stream().collect(Collectors.toMap(Profile::id, Function.identity()));
        boolean adminLeft = store.users(actor.orgId()).stream().map(u -> u.id().equals(id) ? after : u)
                .anyMatch(u -> u.active() && u.profileId() != null && byId.containsKey(u.profileId())
                        && byId.get(u.profileId()).permissions().has(Capability.MANAGE_USERS));
        if (!adminLeft) {
            throw new ConflictException("The organisation would have no active user who manages users",
                    List.of(new FieldError(in.has("active") ? "active" : "profile", "would leave no active user who manages users")));
        }
        Instant now = clock.instant();
        tx.run(() -> {
            store.updateUser(actor.orgId(), after);
            if (before.active() && !after.active()) {
                store.revokeTokens(actor.orgId(), id, now);
                store.revokeSessions(actor.orgId(), id, now);
                store.leaveGroups(actor.orgId(), id);
                audit.record(actor.orgId(), actor.userId(), "user.deactivated", id, AuditLog.detail("email", before.email()));
            } else if (!before.active() && after.active()) {
                audit.record(actor.orgId(), actor.userId(), "user.activated", id, AuditLog.detail("email", after.email()));
            }
            if (!java.util.Objects.equals(before.roleId(), after.roleId()) || !java.util.Objects.equals(before.profileId(), after.profileId())) {
                audit.record(actor.orgId(), actor.userId(), "user.access_changed", id, AuditLog.detail(
                        "role_before", before.roleId(), "role", after.roleId(), "profile_before", before.profileId(), "profile", after.profileId()));
            }
            if (!before.email().equals(after.email()) || !before.name().equals(after.name())) {
                audit.record(actor.orgId(), actor.userId(), "user.changed", id, AuditLog.detail("email", after.email(), "name", after.name()));
            }
            store.bumpSecurityVersion(actor.orgId());
        });
        access.changed(actor.orgId());
        orgs.forgetValidTokens();
        return after;
    }

    /**
     * Sets a password: {@code password}, and {@code current_password} when users change their own
     * (if they have one). Setting another user's needs {@link Capability#MANAGE_USERS}. Every
     * session of the user except the caller's ends.
     */
    public void setPassword(Actor actor, UUID id, JsonNode body, UUID keepSession) {
        boolean self = id.equals(actor.userId());
        if (!self) {
            access.require(actor, Capability.MANAGE_USERS);
        }
        User user = get(actor, id);
        Input in = Input.of(body, Set.of("password", "current_password"));
        String password = in.raw("password", true);
        String current = in.raw("current_password", false);
        in.check();
        checkPassword(password, user.email(), "password");
        if (self && user.hasPassword()) {
            String stored = store.loginCandidates(user.email()).stream().filter(c -> c.userId().equals(id)).map(IdentityStore.LoginCandidate::passwordHash)
                    .findFirst().orElse(null);
            if (current == null || !Passwords.verify(current, stored)) {
                throw new ValidationException("The current password is wrong", List.of(new FieldError("current_password", "does not match")));
            }
        }
        String hash = Passwords.hash(password);
        Instant now = clock.instant();
        tx.run(() -> {
            store.setPassword(actor.orgId(), id, hash);
            store.setLoginFailures(actor.orgId(), id, 0, null);
            for (Session s : store.sessions(actor.orgId(), id)) {
                if (s.revokedAt() == null && !s.id().equals(keepSession)) {
                    store.revokeSession(actor.orgId(), s.id(), now);
                }
            }
            audit.record(actor.orgId(), actor.userId(), "user.password_set", id, AuditLog.detail("self", self));
        });
    }

    /** The users holding the role {@code levels} above the user's ("the manager" at 1). */
    public Set<UUID> above(Actor actor, UUID id, int levels) {
        get(actor, id);
        if (levels < 1 || levels > 20) {
            throw new ValidationException("Invalid levels", List.of(new FieldError("levels", "must be between 1 and 20")));
        }
        return access.usersAbove(actor.orgId(), id, levels);
    }

    // ------------------------------------------------------------ login and sessions

    /** A new session: its secret (the cookie) and CSRF token are returned once. */
    public record Login(Actor actor, UUID sessionId, String secret, String csrfToken, Instant expiresAt) {
        @Override
        public String toString() {
            return "Login[" + actor + ", session " + sessionId + "]";
        }
    }

    /**
     * Logs in with an email and a password. {@code orgId} is needed only when the email belongs
     * to users of several organisations. A wrong password answers 401 and counts towards the
     * lockout; a locked account answers 429 with the time left.
     */
    public Login login(String email, String password, UUID orgId) {
        if (email == null || password == null || email.isBlank() || password.length() > 1024) {
            throw new UnauthorizedException("Invalid email or password");
        }
        String mail = email.strip().toLowerCase(Locale.ROOT);
        Instant now = clock.instant();
        List<IdentityStore.LoginCandidate> candidates = store.loginCandidates(mail).stream()
                .filter(c -> orgId == null || c.orgId().equals(orgId)).toList();
        if (candidates.isEmpty()) {
            Passwords.verifyNothing(password);
            if (orgId != null && store.orgExists(orgId)) {
                audit.record(orgId, null, "login.failed", null, AuditLog.detail("email", mail, "reason", "unknown user"));
            }
            throw new UnauthorizedException("Invalid email or password");
        }
        if (candidates.size() > 1) {
            List<IdentityStore.LoginCandidate> matching = candidates.stream()
                    .filter(c -> !locked(c, now) && Passwords.verify(password, c.passwordHash())).toList();
            if (matching.size() > 1) {
                throw new ValidationException("This email belongs to users of several organisations",
                        List.of(new FieldError("org", "is required: the id of the organisation to log in to")));
            }
            if (matching.isEmpty()) {
                candidates.forEach(c -> failed(c, mail, now));
                throw new UnauthorizedException("Invalid email or password");
            }
            return open(matching.get(0), mail, now);
        }
        IdentityStore.LoginCandidate c = candidates.get(0);
        if (locked(c, now)) {
            audit.record(c.orgId(), c.userId(), "login.locked_out", c.userId(), AuditLog.detail("email", mail, "locked_until", c.lockedUntil()));
            throw new TooManyRequestsException("Too many failed logins; try again later", Duration.between(now, c.lockedUntil()));
        }
        if (!Passwords.verify(password, c.passwordHash())) {
            failed(c, mail, now);
            throw new UnauthorizedException("Invalid email or password");
        }
        return open(c, mail, now);
    }

    private static boolean locked(IdentityStore.LoginCandidate c, Instant now) {
        return c.lockedUntil() != null && c.lockedUntil().isAfter(now);
    }

    private void failed(IdentityStore.LoginCandidate c, String mail, Instant now) {
        int failures = c.failures() + 1;
        Instant lockedUntil = null;
        if (failures >= MAX_FAILURES) {
            long factor = 1L << Math.min(failures - MAX_FAILURES, 20);
            Duration lock = FIRST_LOCK.multipliedBy(factor);
            lockedUntil = now.plus(lock.compareTo(LONGEST_LOCK) > 0 ? LONGEST_LOCK : lock);
        }
        Instant until = lockedUntil;
        tx.run(() -> {
            store.setLoginFailures(c.orgId(), c.userId(), failures, until);
            audit.record(c.orgId(), null, "login.failed", c.userId(), AuditLog.detail("email", mail, "failures", failures));
            if (until != null) {
                audit.record(c.orgId(), null, "user.locked", c.userId(), AuditLog.detail("email", mail, "locked_until", until));
            }
        });
    }

    private Login open(IdentityStore.LoginCandidate c, String mail, Instant now) {
        String secret = Orgs.newToken();
        String csrf = Orgs.newToken();
        UUID sessionId = Ids.next(clock);
        Instant expires = now.plus(SESSION_LIFETIME);
        tx.run(() -> {
            store.setLoginFailures(c.orgId(), c.userId(), 0, null);
            store.createSession(c.orgId(), sessionId, c.userId(), Orgs.hash(secret), Orgs.hash(csrf), now, expires);
            audit.record(c.orgId(), c.userId(), "login.succeeded", c.userId(), AuditLog.detail("email", mail, "session", sessionId));
        });
        return new Login(new Actor(c.orgId(), c.userId()), sessionId, secret, csrf, expires);
    }

    /** The actor of a live session; 401 when it is unknown, expired, revoked or its user inactive. */
    public IdentityStore.LiveSession session(String secret) {
        if (secret == null || secret.isEmpty() || secret.length() > 512) {
            throw new UnauthorizedException("A valid session is required");
        }
        return store.liveSession(Orgs.hash(secret), clock.instant())
                .orElseThrow(() -> new UnauthorizedException("The session has ended; log in again"));
    }

    /** Whether {@code csrfToken} is the session's CSRF token (compared in constant time). */
    public static boolean csrfMatches(IdentityStore.LiveSession session, String csrfToken) {
        if (csrfToken == null || csrfToken.length() > 512) {
            return false;
        }
        return MessageDigest.isEqual(session.csrfHash().getBytes(StandardCharsets.US_ASCII),
                Orgs.hash(csrfToken).getBytes(StandardCharsets.US_ASCII));
    }

    /** A user's sessions (one's own, or anyone's with {@link Capability#MANAGE_USERS}). */
    public List<Session> sessions(Actor actor, UUID userId) {
        UUID who = userId == null ? actor.userId() : userId;
        if (!who.equals(actor.userId())) {
            access.require(actor, Capability.MANAGE_USERS);
            get(actor, who);
        }
        return store.sessions(actor.orgId(), who);
    }

    /** Ends a session (one's own, or anyone's with {@link Capability#MANAGE_USERS}). */
    public void revokeSession(Actor actor, UUID sessionId) {
        Session s = store.session(actor.orgId(), sessionId).orElseThrow(() -> new NotFoundException("No session has id " + sessionId));
        if (!s.userId().equals(actor.userId())) {
            if (!access.has(actor, Capability.MANAGE_USERS)) {
                throw new NotFoundException("No session has id " + sessionId);
            }
        }
        if (s.revokedAt() != null) {
            return;
        }
        tx.run(() -> {
            store.revokeSession(actor.orgId(), sessionId, clock.instant());
            audit.record(actor.orgId(), actor.userId(), s.userId().equals(actor.userId()) ? "logout" : "session.revoked", s.userId(),
                    AuditLog.detail("session", sessionId));
        });
    }

    // ------------------------------------------------------------ tokens

    /** A new token: its secret is returned once. */
    public record NewToken(ApiToken token, String secret) {
        @Override
        public String toString() {
            return "NewToken[" + token + "]";
        }
    }

    /** A user's tokens (one's own, or anyone's with {@link Capability#MANAGE_USERS}); all of the org's when {@code all}. */
    public List<ApiToken> tokens(Actor actor, UUID userId) {
        UUID who = userId == null ? actor.userId() : userId;
        if (!who.equals(actor.userId())) {
            access.require(actor, Capability.MANAGE_USERS);
            get(actor, who);
        }
        return store.tokens(actor.orgId(), who);
    }

    /**
     * Creates a personal API token: {@code name}, optional {@code expires_at} (in the future) and
     * {@code user} (another user's needs {@link Capability#MANAGE_USERS}).
     */
    public NewToken createToken(Actor actor, JsonNode body) {
        Input in = Input.of(body, Set.of("name", "expires_at", "user"));
        String name = in.text("name", 100, true);
        Instant expires = in.instant("expires_at");
        UUID user = in.id("user", false);
        in.check();
        UUID who = user == null ? actor.userId() : user;
        if (!who.equals(actor.userId())) {
            access.require(actor, Capability.MANAGE_USERS);
        }
        User owner = store.user(actor.orgId(), who).orElse(null);
        if (owner == null || !owner.active()) {
            throw new ValidationException("No active user has this id", List.of(new FieldError("user", "no active user has this id")));
        }
        Instant now = clock.instant();
        if (expires != null && !expires.isAfter(now)) {
            throw new ValidationException("The expiry is in the past", List.of(new FieldError("expires_at", "must be in the future")));
        }
        String secret = Orgs.newToken();
        ApiToken t = new ApiToken(Ids.next(clock), who, name, now, expires, null);
        tx.run(() -> {
            store.createToken(actor.orgId(), t.id(), who, name, Orgs.hash(secret), now, expires);
            audit.record(actor.orgId(), actor.userId(), "token.created", t.id(), AuditLog.detail("user", who, "name", name, "expires_at", expires));
        });
        return new NewToken(t, secret);
    }

    /** Revokes a token (one's own, or anyone's with {@link Capability#MANAGE_USERS}); it stops working at once on this node. */
    public void revokeToken(Actor actor, UUID tokenId) {
        ApiToken t = store.token(actor.orgId(), tokenId).orElseThrow(() -> new NotFoundException("No token has id " + tokenId));
        if (!t.userId().equals(actor.userId()) && !access.has(actor, Capability.MANAGE_USERS)) {
            throw new NotFoundException("No token has id " + tokenId);
        }
        if (t.revokedAt() == null) {
            tx.run(() -> {
                store.revokeToken(actor.orgId(), tokenId, clock.instant());
                audit.record(actor.orgId(), actor.userId(), "token.revoked", tokenId, AuditLog.detail("user", t.userId(), "name", t.name()));
            });
        }
        orgs.forgetValidTokens();
    }

    // ------------------------------------------------------------ helpers

    private Role roleOf(UUID orgId, UUID roleId) {
        return store.roles(orgId).stream().filter(r -> r.id().equals(roleId)).findFirst().orElse(null);
    }

    private static String email(Input in, boolean required) {
        String e = in.text("email", 254, required);
        if (e != null && !EMAIL.matcher(e).matches()) {
            in.error("email", "must be an email address");
            return null;
        }
        return e == null ? null : e.toLowerCase(Locale.ROOT);
    }

    static void checkPassword(String password, String email, String field) {
        if (password.length() < MIN_PASSWORD || password.length() > 256) {
            throw new ValidationException("Password too short or too long",
                    List.of(new FieldError(field, "must have " + MIN_PASSWORD + " to 256 characters")));
        }
        if (password.isBlank() || email != null && password.equalsIgnoreCase(email)) {
            throw new ValidationException("Weak password", List.of(new FieldError(field, "must not be blank or the email")));
        }
    }
}
