package io.waymark.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.Waymark;
import io.waymark.error.FieldError;
import io.waymark.error.UnauthorizedException;
import io.waymark.error.ValidationException;
import io.waymark.identity.ApiToken;
import io.waymark.identity.AuditEvent;
import io.waymark.identity.Group;
import io.waymark.identity.Profile;
import io.waymark.identity.Role;
import io.waymark.identity.Session;
import io.waymark.identity.SharingRule;
import io.waymark.identity.User;
import io.waymark.identity.Users;
import io.waymark.json.Json;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Identity and access over HTTP: login and sessions, personal API tokens, users, roles, groups,
 * profiles, sharing rules and the audit log. The engine decides who may do what; these handlers
 * only translate.
 */
final class IdentityApi {
    private final Waymark engine;
    private final Authentication auth;
    private final ServerConfig config;

    IdentityApi(Waymark engine, Authentication auth, ServerConfig config) {
        this.engine = engine;
        this.auth = auth;
        this.config = config;
    }

    private static UUID id(Context ctx) {
        return Params.pathId(ctx, "id");
    }

    private JsonNode body(Context ctx) {
        return JsonBody.required(ctx, config.maxRequestSize());
    }

    // ------------------------------------------------------------ sessions

    /** {@code POST /sessions}: logs in with email and password; sets the session cookie. */
    void login(Context ctx) {
        auth.limitLogin(ctx);
        JsonNode body = body(ctx);
        if (!body.isObject()) {
            throw new ValidationException("Expected a JSON object", List.of(new FieldError("body", "must be an object with email and password")));
        }
        UUID org = null;
        if (body.hasNonNull("org")) {
            org = body.get("org").isTextual() ? Ids.parse(body.get("org").textValue()) : null;
            if (org == null) {
                throw Params.invalid("org", "must be an organisation id (a UUID)");
            }
        }
        String email = body.path("email").isTextual() ? body.get("email").textValue() : null;
        String password = body.path("password").isTextual() ? body.get("password").textValue() : null;
        if (email == null || password == null) {
            throw new UnauthorizedException("Invalid email or password");
        }
        Users.Login login = engine.users().login(email, password, org);
        long maxAge = Users.SESSION_LIFETIME.toSeconds();
        ctx.header("Set-Cookie", Authentication.SESSION_COOKIE + "=" + login.secret() + "; Path=/; Max-Age=" + maxAge
                + "; HttpOnly; SameSite=Strict" + (config.secureCookies() ? "; Secure" : ""));
        ctx.header("Cache-Control", "no-store");
        ObjectNode o = Json.object();
        o.set("user", engine.users().get(login.actor(), login.actor().userId()).toJson());
        o.put("org", login.actor().orgId().toString());
        o.put("session", login.sessionId().toString());
        o.put("expires_at", login.expiresAt().toString());
        o.put("csrf_token", login.csrfToken());
        Responses.json(ctx, 201, o);
    }

    /** {@code DELETE /sessions/current}: logs out of the session the request came with. */
    void logout(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        UUID session = Authentication.session(ctx);
        if (session == null) {
            throw new ValidationException("Not a session", List.of(new FieldError("session",
                    "this request used an API token, not a session; revoke tokens with DELETE /api/v1/tokens/{id}")));
        }
        engine.users().revokeSession(actor, session);
        ctx.header("Set-Cookie", Authentication.SESSION_COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
                + (config.secureCookies() ? "; Secure" : ""));
        Responses.noContent(ctx);
    }

    void sessions(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        List<Session> list = engine.users().sessions(actor, Params.uuidQuery(ctx, "user"));
        Responses.json(ctx, 200, Responses.list(list.stream().map(Session::toJson).toList()));
    }

    void revokeSession(Context ctx) {
        engine.users().revokeSession(Authentication.actor(ctx), id(ctx));
        Responses.noContent(ctx);
    }

    // ------------------------------------------------------------ tokens

    void tokens(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        List<ApiToken> list = engine.users().tokens(actor, Params.uuidQuery(ctx, "user"));
        Responses.json(ctx, 200, Responses.list(list.stream().map(ApiToken::toJson).toList()));
    }

    /** 201 with the token's secret, shown this once. */
    void createToken(Context ctx) {
        Users.NewToken t = engine.users().createToken(Authentication.actor(ctx), body(ctx));
        ObjectNode o = t.token().toJson();
        o.put("token", t.secret());
        ctx.header("Cache-Control", "no-store");
        Responses.json(ctx, 201, o);
    }

    void revokeToken(Context ctx) {
        engine.users().revokeToken(Authentication.actor(ctx), id(ctx));
        Responses.noContent(ctx);
    }

    // ------------------------------------------------------------ users

    void users(Context ctx) {
        Responses.json(ctx, 200, Responses.list(engine.users().list(Authentication.actor(ctx)).stream().map(User::toJson).toList()));
    }

    void me(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        ObjectNode o = engine.users().get(actor, actor.userId()).toJson();
        ObjectNode p = engine.access().permissions(actor).toJson();
        o.set("permissions", p);
        Responses.json(ctx, 200, o);
    }

    void user(Context ctx) {
        Responses.json(ctx, 200, engine.users().get(Authentication.actor(ctx), id(ctx)).toJson());
    }

    void createUser(Context ctx) {
        User u = engine.users().create(Authentication.actor(ctx), body(ctx));
        ctx.header("Location", WaymarkServer.API + "/users/" + u.id());
        Responses.json(ctx, 201, u.toJson());
    }

    void updateUser(Context ctx) {
        Responses.json(ctx, 200, engine.users().update(Authentication.actor(ctx), id(ctx), body(ctx)).toJson());
    }

    void setPassword(Context ctx) {
        engine.users().setPassword(Authentication.actor(ctx), id(ctx), body(ctx), Authentication.session(ctx));
        Responses.noContent(ctx);
    }

    /** {@code GET /users/{id}/manager?levels=N}: the users holding the role N levels above (1 by default). */
    void manager(Context ctx) {
        String raw = ctx.queryParam("levels");
        int levels;
        try {
            levels = raw == null || raw.isBlank() ? 1 : Integer.parseInt(raw.strip());
        } catch (NumberFormatException e) {
            throw Params.invalid("levels", "must be a whole number between 1 and 20");
        }
        Actor actor = Authentication.actor(ctx);
        Set<UUID> above = engine.users().above(actor, id(ctx), levels);
        List<ObjectNode> users = above.stream().map(u -> engine.users().get(actor, u).toJson()).toList();
        Responses.json(ctx, 200, Responses.list(users));
    }

    /**
     * {@code POST /users/{id}/transfer-records} with {@code {"to": "<user id>", "modules": [...]}}:
     * moves the records the user owns (that the caller may change) to another user.
     */
    void transferRecords(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        UUID from = id(ctx);
        engine.users().get(actor, from);
        JsonNode body = body(ctx);
        UUID to = body.path("to").isTextual() ? Ids.parse(body.get("to").textValue()) : null;
        List<String> modules = new java.util.ArrayList<>();
        JsonNode m = body.get("modules");
        if (m != null && !m.isNull()) {
            if (!m.isArray()) {
                throw Params.invalid("modules", "must be a list of module API names");
            }
            m.forEach(x -> modules.add(x.asText()));
        }
        java.util.Map<String, Integer> moved = engine.records().transferAll(actor, from, to, modules);
        ObjectNode o = Json.object();
        ObjectNode byModule = o.putObject("moved");
        moved.forEach(byModule::put);
        Responses.json(ctx, 200, o);
    }

    // ------------------------------------------------------------ roles, groups, profiles, sharing rules

    void roles(Context ctx) {
        Responses.json(ctx, 200, Responses.list(engine.roles().list(Authentication.actor(ctx)).stream().map(Role::toJson).toList()));
    }

    void role(Context ctx) {
        Responses.json(ctx, 200, engine.roles().get(Authentication.actor(ctx), id(ctx)).toJson());
    }

    void createRole(Context ctx) {
        Role r = engine.roles().create(Authentication.actor(ctx), body(ctx));
        ctx.header("Location", WaymarkServer.API + "/roles/" + r.id());
        Responses.json(ctx, 201, r.toJson());
    }

    void updateRole(Context ctx) {
        Responses.json(ctx, 200, engine.roles().update(Authentication.actor(ctx), id(ctx), body(ctx)).toJson());
    }

    void deleteRole(Context ctx) {
        engine.roles().delete(Authentication.actor(ctx), id(ctx));
        Responses.noContent(ctx);
    }

    void groups(Context ctx) {
        Responses.json(ctx, 200, Responses.list(engine.groups().list(Authentication.actor(ctx)).stream().map(Group::toJson).toList()));
    }

    void group(Context ctx) {
        Responses.json(ctx, 200, engine.groups().get(Authentication.actor(ctx), id(ctx)).toJson());
    }

    void createGroup(Context ctx) {
        Group g = engine.groups().create(Authentication.actor(ctx), body(ctx));
        ctx.header("Location", WaymarkServer.API + "/groups/" + g.id());
        Responses.json(ctx, 201, g.toJson());
    }

    void updateGroup(Context ctx) {
        Responses.json(ctx, 200, engine.groups().update(Authentication.actor(ctx), id(ctx), body(ctx)).toJson());
    }

    void deleteGroup(Context ctx) {
        engine.groups().delete(Authentication.actor(ctx), id(ctx));
        Responses.noContent(ctx);
    }

    void profiles(Context ctx) {
        Responses.json(ctx, 200, Responses.list(engine.profiles().list(Authentication.actor(ctx)).stream().map(Profile::toJson).toList()));
    }

    void profile(Context ctx) {
        Responses.json(ctx, 200, engine.profiles().get(Authentication.actor(ctx), id(ctx)).toJson());
    }

    void createProfile(Context ctx) {
        Profile p = engine.profiles().create(Authentication.actor(ctx), body(ctx));
        ctx.header("Location", WaymarkServer.API + "/profiles/" + p.id());
        Responses.json(ctx, 201, p.toJson());
    }

    void updateProfile(Context ctx) {
        Responses.json(ctx, 200, engine.profiles().update(Authentication.actor(ctx), id(ctx), body(ctx)).toJson());
    }

    void deleteProfile(Context ctx) {
        engine.profiles().delete(Authentication.actor(ctx), id(ctx));
        Responses.noContent(ctx);
    }

    void sharingRules(Context ctx) {
        Responses.json(ctx, 200, Responses.list(engine.sharingRules().list(Authentication.actor(ctx)).stream().map(SharingRule::toJson).toList()));
    }

    void createSharingRule(Context ctx) {
        SharingRule r = engine.sharingRules().create(Authentication.actor(ctx), body(ctx));
        Responses.json(ctx, 201, r.toJson());
    }

    void deleteSharingRule(Context ctx) {
        engine.sharingRules().delete(Authentication.actor(ctx), id(ctx));
        Responses.noContent(ctx);
    }

    // ------------------------------------------------------------ audit

    /** {@code GET /audit?type=&from=&to=&limit=&cursor=}: oldest first; the cursor is the last event's id. */
    void audit(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        int limit = Params.limit(ctx);
        String cursor = Params.cursor(ctx);
        UUID after = null;
        if (cursor != null) {
            after = Ids.parse(cursor);
            if (after == null) {
                throw Params.invalid("cursor", "is not a cursor of this list");
            }
        }
        List<AuditEvent> events = engine.audit().list(actor, Params.text(ctx, "type"), Params.instantQuery(ctx, "from"),
                Params.instantQuery(ctx, "to"), limit, after);
        String next = events.size() == limit ? events.get(events.size() - 1).id().toString() : null;
        Responses.json(ctx, 200, Responses.page(events.stream().map(AuditEvent::toJson).toList(), next));
    }
}
