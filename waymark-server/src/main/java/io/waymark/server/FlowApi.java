package io.waymark.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.waymark.Actor;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.kiosk.Kiosks;
import io.waymark.wizard.Wizards;
import java.util.List;
import java.util.UUID;

/**
 * {@code /api/v1/kiosks}, {@code /api/v1/kiosk-runs}, {@code /api/v1/wizards} and
 * {@code /api/v1/wizard-runs}: screen-flow definitions and the sessions that run them. The engine
 * renders every screen, so a front end shows exactly what these answers hold.
 */
final class FlowApi {
    private final Kiosks kiosks;
    private final Wizards wizards;
    private final long maxBody;

    FlowApi(Kiosks kiosks, Wizards wizards, long maxBody) {
        this.kiosks = kiosks;
        this.wizards = wizards;
        this.maxBody = maxBody;
    }

    // ---------------------------------------------------------------- kiosks

    void listKiosks(Context ctx) {
        Responses.json(ctx, 200, Responses.list(kiosks.list(Authentication.actor(ctx))));
    }

    void createKiosk(Context ctx) {
        JsonNode saved = kiosks.create(Authentication.actor(ctx), JsonBody.required(ctx, maxBody));
        ctx.header("Location", WaymarkServer.API + "/kiosks/" + saved.get("id").asText());
        Responses.json(ctx, 201, saved);
    }

    void getKiosk(Context ctx) {
        Responses.json(ctx, 200, kiosks.get(Authentication.actor(ctx), id(ctx), version(ctx)));
    }

    void updateKiosk(Context ctx) {
        Responses.json(ctx, 200, kiosks.update(Authentication.actor(ctx), id(ctx), JsonBody.required(ctx, maxBody)));
    }

    void patchKiosk(Context ctx) {
        Responses.json(ctx, 200, kiosks.setActive(Authentication.actor(ctx), id(ctx), active(JsonBody.required(ctx, maxBody))));
    }

    void kioskVersions(Context ctx) {
        Responses.json(ctx, 200, Responses.list(kiosks.versions(Authentication.actor(ctx), id(ctx))));
    }

    void startKiosk(Context ctx) {
        JsonNode run = kiosks.start(Authentication.actor(ctx), id(ctx), JsonBody.optional(ctx, maxBody));
        ctx.header("Location", WaymarkServer.API + "/kiosk-runs/" + run.get("id").asText());
        Responses.json(ctx, 201, run);
    }

    void getKioskRun(Context ctx) {
        Responses.json(ctx, 200, kiosks.run(Authentication.actor(ctx), id(ctx)));
    }

    void submitKioskRun(Context ctx) {
        Responses.json(ctx, 200, kiosks.submit(Authentication.actor(ctx), id(ctx), JsonBody.required(ctx, maxBody)));
    }

    void abandonKioskRun(Context ctx) {
        kiosks.abandon(Authentication.actor(ctx), id(ctx));
        Responses.noContent(ctx);
    }

    // ---------------------------------------------------------------- wizards

    void listWizards(Context ctx) {
        Responses.json(ctx, 200, Responses.list(wizards.list(Authentication.actor(ctx))));
    }

    void createWizard(Context ctx) {
        JsonNode saved = wizards.create(Authentication.actor(ctx), JsonBody.required(ctx, maxBody));
        ctx.header("Location", WaymarkServer.API + "/wizards/" + saved.get("id").asText());
        Responses.json(ctx, 201, saved);
    }

    void getWizard(Context ctx) {
        Responses.json(ctx, 200, wizards.get(Authentication.actor(ctx), id(ctx), version(ctx)));
    }

    void updateWizard(Context ctx) {
        Responses.json(ctx, 200, wizards.update(Authentication.actor(ctx), id(ctx), JsonBody.required(ctx, maxBody)));
    }

    void patchWizard(Context ctx) {
        Responses.json(ctx, 200, wizards.setActive(Authentication.actor(ctx), id(ctx), active(JsonBody.required(ctx, maxBody))));
    }

    void startWizard(Context ctx) {
        JsonNode run = wizards.start(Authentication.actor(ctx), id(ctx), JsonBody.optional(ctx, maxBody));
        ctx.header("Location", WaymarkServer.API + "/wizard-runs/" + run.get("id").asText());
        Responses.json(ctx, 201, run);
    }

    void wizardDrafts(Context ctx) {
        Responses.json(ctx, 200, Responses.list(wizards.drafts(Authentication.actor(ctx))));
    }

    void getWizardRun(Context ctx) {
        Responses.json(ctx, 200, wizards.run(Authentication.actor(ctx), id(ctx)));
    }

    void submitWizardRun(Context ctx) {
        Responses.json(ctx, 200, wizards.submit(Authentication.actor(ctx), id(ctx), JsonBody.required(ctx, maxBody)));
    }

    void discardWizardRun(Context ctx) {
        wizards.discard(Authentication.actor(ctx), id(ctx));
        Responses.noContent(ctx);
    }

    // ---------------------------------------------------------------- helpers

    private static UUID id(Context ctx) {
        return Params.pathId(ctx, "id");
    }

    private static Integer version(Context ctx) {
        String v = ctx.queryParam("version");
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            int n = Integer.parseInt(v.strip());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw Params.invalid("version", "must be a version number (1 or more)");
    }

    private static boolean active(JsonNode body) {
        if (!body.isObject() || !body.path("active").isBoolean() || body.size() != 1) {
            throw new ValidationException("Only active can be patched; send a new version with PUT",
                    List.of(new FieldError("active", "must be true or false, and the only property")));
        }
        return body.get("active").booleanValue();
    }
}
