package io.waymark.server;

import io.javalin.http.Context;
import io.waymark.Actor;
import io.waymark.error.UnauthorizedException;
import io.waymark.identity.Orgs;
import org.slf4j.MDC;

/**
 * Resolves {@code Authorization: Bearer <token>} to the {@link Actor} every engine call needs.
 * Runs only for matched API routes, so an unknown path is a 404 rather than a 401.
 */
final class Authentication {
    private static final String ACTOR = "waymark.actor";

    private final Orgs orgs;

    Authentication(Orgs orgs) {
        this.orgs = orgs;
    }

    void authenticate(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw new UnauthorizedException("Send an API token as 'Authorization: Bearer <token>'");
        }
        String h = header.strip();
        if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new UnauthorizedException("Only bearer tokens are accepted: 'Authorization: Bearer <token>'");
        }
        Actor actor = orgs.authenticate(h.substring(7).strip());
        ctx.attribute(ACTOR, actor);
        MDC.put(RequestIds.MDC_ORG, actor.orgId().toString());
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
}
