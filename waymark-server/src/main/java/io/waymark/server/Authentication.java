package io.waymark.server;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.waymark.Actor;
import io.waymark.error.ForbiddenException;
import io.waymark.error.UnauthorizedException;
import io.waymark.identity.IdentityStore;
import io.waymark.identity.Orgs;
import io.waymark.identity.Users;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.UUID;
import org.slf4j.MDC;

/**
 * Resolves the caller of an API route to the {@link Actor} every engine call needs: an
 * {@code Authorization: Bearer <token>} header (scripts, integrations) or the session cookie of a
 * browser, which for unsafe methods must come with the session's CSRF token in
 * {@value #CSRF_HEADER}. Each caller then takes one request from its rate-limit bucket. Runs only
 * for matched API routes, so an unknown path is a 404 rather than a 401.
 */
final class Authentication {
    static final String SESSION_COOKIE = "waymark_session";
    static final String CSRF_HEADER = "X-CSRF-Token";
    private static final String ACTOR = "waymark.actor";
    private static final String SESSION = "waymark.session";
    private static final Set<HandlerType> SAFE = Set.of(HandlerType.GET, HandlerType.HEAD, HandlerType.OPTIONS);

    private final Orgs orgs;
    private final Users users;
    private final RateLimiter limiter;

    Authentication(Orgs orgs, Users users, RateLimiter limiter) {
        this.orgs = orgs;
        this.users = users;
        this.limiter = limiter;
    }

    void authenticate(Context ctx) {
        String header = ctx.header("Authorization");
        Actor actor;
        String caller;
        if (header != null && !header.isBlank()) {
            String h = header.strip();
            if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new UnauthorizedException("Only bearer tokens are accepted: 'Authorization: Bearer <token>'");
            }
            String token = h.substring(7).strip();
            actor = orgs.authenticate(token);
            caller = "t:" + sha256(token);
        } else {
            String cookie = ctx.cookie(SESSION_COOKIE);
            if (cookie == null || cookie.isBlank()) {
                throw new UnauthorizedException("Send an API token as 'Authorization: Bearer <token>', or log in");
            }
            IdentityStore.LiveSession session = users.session(cookie);
            if (!SAFE.contains(ctx.method()) && !Users.csrfMatches(session, ctx.header(CSRF_HEADER))) {
                throw new ForbiddenException("A browser session must send its CSRF token in the " + CSRF_HEADER + " header");
            }
            actor = new Actor(session.orgId(), session.userId());
            ctx.attribute(SESSION, session.sessionId());
            caller = "s:" + session.sessionId();
        }
        ctx.attribute(ACTOR, actor);
        MDC.put(RequestIds.MDC_ORG, actor.orgId().toString());
        limiter.acquire(caller);
    }

    /** Limits logins per client address (on top of the per-account lockout). */
    void limitLogin(Context ctx) {
        limiter.acquire("ip:" + ctx.ip());
    }

    /** The caller of an authenticated route. */
    static Actor actor(Context ctx) {
        Actor actor = ctx.attribute(ACTOR);
        if (actor == null) {
            // Only reachable if a route was registered outside the authenticated prefix by mistake.
            throw new UnauthorizedException("A valid API token is required");
        }
        return actor;
    }

    /** The session the caller authenticated with, or null for a bearer token. */
    static UUID session(Context ctx) {
        return ctx.attribute(SESSION);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
