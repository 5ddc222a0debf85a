package io.waymark.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.cadence.Cadences;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** {@code /api/v1/cadences}: cadence definitions, versions, enrollments and counts. */
final class CadenceApi {
    private final Cadences cadences;
    private final long maxBody;

    CadenceApi(Cadences cadences, long maxBody) {
        this.cadences = cadences;
        this.maxBody = maxBody;
    }

    private static UUID id(Context ctx, String name) {
        return Params.pathId(ctx, name);
    }

    private static List<ObjectNode> items(ArrayNode a) {
        List<ObjectNode> out = new ArrayList<>();
        a.forEach(n -> out.add((ObjectNode) n));
        return out;
    }

    void list(Context ctx) {
        Responses.json(ctx, 200, Responses.list(items(cadences.list(Authentication.actor(ctx)))));
    }

    void create(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        Responses.json(ctx, 201, cadences.create(actor, JsonBody.required(ctx, maxBody)));
    }

    void get(Context ctx) {
        Responses.json(ctx, 200, cadences.get(Authentication.actor(ctx), id(ctx, "id")));
    }

    void update(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        Long expected = Params.longQuery(ctx, "revision");
        Responses.json(ctx, 200, cadences.update(actor, id(ctx, "id"), JsonBody.required(ctx, maxBody), expected));
    }

    void publish(Context ctx) {
        Responses.json(ctx, 200, cadences.publish(Authentication.actor(ctx), id(ctx, "id")));
    }

    void version(Context ctx) {
        int v;
        try {
            v = Integer.parseInt(ctx.pathParam("version"));
        } catch (NumberFormatException e) {
            throw Params.invalid("version", "must be a version number");
        }
        Responses.json(ctx, 200, cadences.version(Authentication.actor(ctx), id(ctx, "id"), v));
    }

    void enroll(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        JsonNode body = JsonBody.required(ctx, maxBody);
        Responses.json(ctx, 200, cadences.enroll(actor, id(ctx, "id"), body));
    }

    void enrollments(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        String cursor = Params.cursor(ctx);
        UUID after = cursor == null ? null : Ids.parse(cursor);
        if (cursor != null && after == null) {
            throw Params.invalid("cursor", "must be the next_cursor of a previous page");
        }
        int limit = Params.limit(ctx);
        if (limit < 1 || limit > 1000) {
            throw Params.invalid("limit", "must be a whole number between 1 and 1000");
        }
        List<ObjectNode> page = items(cadences.enrollments(actor, id(ctx, "id"), Params.text(ctx, "status"), after, limit));
        Responses.json(ctx, 200, Responses.page(page, page.size() < limit ? null : page.get(page.size() - 1).get("id").asText()));
    }

    void analytics(Context ctx) {
        Responses.json(ctx, 200, cadences.analytics(Authentication.actor(ctx), id(ctx, "id")));
    }

    void enrollment(Context ctx) {
        Responses.json(ctx, 200, cadences.enrollment(Authentication.actor(ctx), id(ctx, "enrollment")));
    }

    void unenroll(Context ctx) {
        Responses.json(ctx, 200, cadences.unenroll(Authentication.actor(ctx), id(ctx, "enrollment")));
    }

    void pause(Context ctx) {
        Responses.json(ctx, 200, cadences.setPaused(Authentication.actor(ctx), id(ctx, "enrollment"), true));
    }

    void pauseCadence(Context ctx) {
        Responses.json(ctx, 200, cadences.setCadencePaused(Authentication.actor(ctx), id(ctx, "id"), true));
    }

    void resumeCadence(Context ctx) {
        Responses.json(ctx, 200, cadences.setCadencePaused(Authentication.actor(ctx), id(ctx, "id"), false));
    }

    void migrate(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        Responses.json(ctx, 200, cadences.migrate(actor, id(ctx, "id"), JsonBody.required(ctx, maxBody)));
    }

    void logCall(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        Responses.json(ctx, 200, cadences.logCall(actor, id(ctx, "enrollment"), ctx.pathParam("follow_up"), JsonBody.required(ctx, maxBody)));
    }

    void resume(Context ctx) {
        Responses.json(ctx, 200, cadences.setPaused(Authentication.actor(ctx), id(ctx, "enrollment"), false));
    }
}
