package io.waymark.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.waymark.Actor;
import io.waymark.journey.Journeys;
import java.util.UUID;

/** {@code /api/v1/journeys}: journey definitions, versions, instances, simulation and analytics. */
final class JourneyApi {
    private final Journeys journeys;
    private final long maxBody;

    JourneyApi(Journeys journeys, long maxBody) {
        this.journeys = journeys;
        this.maxBody = maxBody;
    }

    private static UUID id(Context ctx, String name) {
        return Params.pathId(ctx, name);
    }

    void list(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        Responses.json(ctx, 200, Responses.list(java.util.stream.StreamSupport.stream(journeys.list(actor).spliterator(), false)
                .map(n -> (com.fasterxml.jackson.databind.node.ObjectNode) n).toList()));
    }

    void create(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        Responses.json(ctx, 201, journeys.create(actor, JsonBody.required(ctx, maxBody)));
    }

    void validate(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        Responses.json(ctx, 200, journeys.validate(actor, JsonBody.required(ctx, maxBody)));
    }

    void get(Context ctx) {
        Responses.json(ctx, 200, journeys.get(Authentication.actor(ctx), id(ctx, "id")));
    }

    void update(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        Long expected = Params.longQuery(ctx, "revision");
        Responses.json(ctx, 200, journeys.update(actor, id(ctx, "id"), JsonBody.required(ctx, maxBody), expected));
    }

    void delete(Context ctx) {
        journeys.delete(Authentication.actor(ctx), id(ctx, "id"));
        Responses.noContent(ctx);
    }

    void publish(Context ctx) {
        Responses.json(ctx, 200, journeys.publish(Authentication.actor(ctx), id(ctx, "id")));
    }

    void activate(Context ctx) {
        Responses.json(ctx, 200, journeys.setActive(Authentication.actor(ctx), id(ctx, "id"), true));
    }

    void deactivate(Context ctx) {
        Responses.json(ctx, 200, journeys.setActive(Authentication.actor(ctx), id(ctx, "id"), false));
    }

    void version(Context ctx) {
        int v;
        try {
            v = Integer.parseInt(ctx.pathParam("version"));
        } catch (NumberFormatException e) {
            throw Params.invalid("version", "must be a version number");
        }
        Responses.json(ctx, 200, journeys.version(Authentication.actor(ctx), id(ctx, "id"), v));
    }

    void migrate(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        Responses.json(ctx, 200, journeys.migrate(actor, id(ctx, "id"), JsonBody.required(ctx, maxBody)));
    }

    void enroll(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        Responses.json(ctx, 201, journeys.enroll(actor, id(ctx, "id"), JsonBody.required(ctx, maxBody)));
    }

    void simulate(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        Responses.json(ctx, 200, journeys.simulate(actor, id(ctx, "id"), JsonBody.required(ctx, maxBody)));
    }

    void instances(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        String v = Params.text(ctx, "version");
        Integer version = null;
        if (v != null) {
            try {
                version = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw Params.invalid("version", "must be a version number");
            }
        }
        Responses.json(ctx, 200, journeys.instances(actor, id(ctx, "id"), version, Params.text(ctx, "state"), Params.text(ctx, "status"),
                Params.cursor(ctx), Params.limit(ctx)));
    }

    void analytics(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        String v = Params.text(ctx, "version");
        Integer version = null;
        if (v != null) {
            try {
                version = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw Params.invalid("version", "must be a version number");
            }
        }
        Responses.json(ctx, 200, journeys.analytics(actor, id(ctx, "id"), version, Params.text(ctx, "granularity")));
    }

    void subjectInstances(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        String subject = Params.text(ctx, "subject");
        if (subject == null) {
            throw Params.invalid("subject", "is required: the customer whose journeys to show");
        }
        var list = new java.util.ArrayList<com.fasterxml.jackson.databind.node.ObjectNode>();
        journeys.instancesOfSubject(actor, subject).forEach(n -> list.add((com.fasterxml.jackson.databind.node.ObjectNode) n));
        Responses.json(ctx, 200, Responses.list(list));
    }

    void instance(Context ctx) {
        Responses.json(ctx, 200, journeys.instance(Authentication.actor(ctx), id(ctx, "instance")));
    }

    void move(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        Responses.json(ctx, 200, journeys.move(actor, id(ctx, "instance"), JsonBody.required(ctx, maxBody)));
    }

    void end(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        JsonNode body = JsonBody.optional(ctx, maxBody);
        Responses.json(ctx, 200, journeys.end(actor, id(ctx, "instance"), body));
    }
}
