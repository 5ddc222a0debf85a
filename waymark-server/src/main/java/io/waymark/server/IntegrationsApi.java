package io.waymark.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.waymark.Actor;
import io.waymark.inbound.SignalEndpoint;
import io.waymark.inbound.SignalEndpoints;
import io.waymark.inbound.WebForm;
import io.waymark.inbound.WebForms;
import io.waymark.json.Json;
import io.waymark.webhook.Webhook;
import io.waymark.webhook.Webhooks;
import java.net.URI;
import java.util.UUID;

/**
 * {@code /api/v1/webhooks}, {@code /api/v1/signal-endpoints} and {@code /api/v1/forms}: the
 * definitions of outgoing webhooks, incoming-signal endpoints and public web forms.
 */
final class IntegrationsApi {
    private final Webhooks webhooks;
    private final SignalEndpoints endpoints;
    private final WebForms forms;
    private final URI publicBase;
    private final long maxBody;

    IntegrationsApi(Webhooks webhooks, SignalEndpoints endpoints, WebForms forms, URI publicBase, long maxBody) {
        this.webhooks = webhooks;
        this.endpoints = endpoints;
        this.forms = forms;
        this.publicBase = publicBase;
        this.maxBody = maxBody;
    }

    // ---------------------------------------------------------------- webhooks

    void listWebhooks(Context ctx) {
        Webhooks.Page p = webhooks.list(Authentication.actor(ctx), Params.limit(ctx), Params.cursor(ctx));
        Responses.json(ctx, 200, Responses.page(p.items().stream().map(IntegrationsApi::webhookJson).toList(), p.next()));
    }

    void createWebhook(Context ctx) {
        Webhook w = webhooks.create(Authentication.actor(ctx), JsonBody.required(ctx, maxBody));
        ctx.header("Location", WaymarkServer.API + "/webhooks/" + w.id());
        Responses.json(ctx, 201, webhookJson(w));
    }

    void getWebhook(Context ctx) {
        Responses.json(ctx, 200, webhookJson(webhooks.get(Authentication.actor(ctx), EmailApi.id(ctx))));
    }

    void updateWebhook(Context ctx) {
        Responses.json(ctx, 200, webhookJson(webhooks.update(Authentication.actor(ctx), EmailApi.id(ctx), JsonBody.required(ctx, maxBody),
                Params.expectedVersion(ctx))));
    }

    void deleteWebhook(Context ctx) {
        webhooks.delete(Authentication.actor(ctx), EmailApi.id(ctx));
        Responses.noContent(ctx);
    }

    /** Calls the webhook once about a record, now; a failure is a 502 problem saying what the target answered. */
    void testWebhook(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        Webhook w = webhooks.get(actor, EmailApi.id(ctx));
        JsonNode body = JsonBody.required(ctx, maxBody);
        UUID record = EmailApi.uuid(body, "record_id", true);
        Webhooks.Delivery d = webhooks.call(actor, w.id(), w.module(), record, EmailApi.text(body, "idempotency_key"));
        ObjectNode o = Json.object();
        o.put("status", d.status());
        o.put("response", d.responseSnippet());
        o.put("millis", d.millis());
        Responses.json(ctx, 200, o);
    }

    static ObjectNode webhookJson(Webhook w) {
        ObjectNode o = Json.object();
        o.put("id", w.id().toString());
        o.put("name", w.name());
        o.put("module", w.module());
        o.put("url", w.url());
        o.put("method", w.method());
        o.put("format", w.format());
        o.set("body", w.body());
        o.set("headers", Json.MAPPER.valueToTree(w.headers()));
        o.put("secret", w.secret());
        o.put("timeout_ms", w.timeoutMs());
        o.put("version", w.version());
        o.put("created_at", w.createdAt().toString());
        o.put("modified_at", w.modifiedAt().toString());
        return o;
    }

    // ---------------------------------------------------------------- signal endpoints

    void listEndpoints(Context ctx) {
        SignalEndpoints.Page p = endpoints.list(Authentication.actor(ctx), Params.limit(ctx), Params.cursor(ctx));
        Responses.json(ctx, 200, Responses.page(p.items().stream().map(this::endpointJson).toList(), p.next()));
    }

    void createEndpoint(Context ctx) {
        SignalEndpoint e = endpoints.create(Authentication.actor(ctx), JsonBody.required(ctx, maxBody));
        ctx.header("Location", WaymarkServer.API + "/signal-endpoints/" + e.id());
        Responses.json(ctx, 201, endpointJson(e));
    }

    void getEndpoint(Context ctx) {
        Responses.json(ctx, 200, endpointJson(endpoints.get(Authentication.actor(ctx), EmailApi.id(ctx))));
    }

    void updateEndpoint(Context ctx) {
        Responses.json(ctx, 200, endpointJson(endpoints.update(Authentication.actor(ctx), EmailApi.id(ctx), JsonBody.required(ctx, maxBody),
                Params.expectedVersion(ctx))));
    }

    void deleteEndpoint(Context ctx) {
        endpoints.delete(Authentication.actor(ctx), EmailApi.id(ctx));
        Responses.noContent(ctx);
    }

    private ObjectNode endpointJson(SignalEndpoint e) {
        ObjectNode o = Json.object();
        o.put("id", e.id().toString());
        o.put("name", e.name());
        o.put("signal_type", e.signalType());
        o.set("params", Json.MAPPER.valueToTree(e.params()));
        o.set("match", e.match() == null ? null : Json.MAPPER.valueToTree(e.match()));
        String url = publicBase + "/in/" + e.id();
        o.put("url", e.secret() == null ? url + "?key=…" : url + "?key=" + e.secret());
        if (e.secret() != null) {
            o.put("key", e.secret());
        }
        o.put("version", e.version());
        o.put("created_at", e.createdAt().toString());
        o.put("modified_at", e.modifiedAt().toString());
        return o;
    }

    // ---------------------------------------------------------------- web forms

    void listForms(Context ctx) {
        WebForms.Page p = forms.list(Authentication.actor(ctx), Params.limit(ctx), Params.cursor(ctx));
        Responses.json(ctx, 200, Responses.page(p.items().stream().map(this::formJson).toList(), p.next()));
    }

    void createForm(Context ctx) {
        WebForm f = forms.create(Authentication.actor(ctx), JsonBody.required(ctx, maxBody));
        ctx.header("Location", WaymarkServer.API + "/forms/" + f.id());
        Responses.json(ctx, 201, formJson(f));
    }

    void getForm(Context ctx) {
        Responses.json(ctx, 200, formJson(forms.get(Authentication.actor(ctx), EmailApi.id(ctx))));
    }

    void updateForm(Context ctx) {
        Responses.json(ctx, 200, formJson(forms.update(Authentication.actor(ctx), EmailApi.id(ctx), JsonBody.required(ctx, maxBody),
                Params.expectedVersion(ctx))));
    }

    void deleteForm(Context ctx) {
        forms.delete(Authentication.actor(ctx), EmailApi.id(ctx));
        Responses.noContent(ctx);
    }

    private ObjectNode formJson(WebForm f) {
        ObjectNode o = Json.object();
        o.put("id", f.id().toString());
        o.put("name", f.name());
        o.put("title", f.title());
        o.put("module", f.module());
        o.set("fields", Json.MAPPER.valueToTree(f.fields().stream().map(x -> {
            ObjectNode fo = Json.object();
            fo.put("field", x.field());
            fo.put("label", x.label());
            fo.put("required", x.required());
            return fo;
        }).toList()));
        o.put("match_field", f.matchField());
        o.put("owner_id", f.ownerId() == null ? null : f.ownerId().toString());
        o.put("redirect_url", f.redirectUrl());
        o.put("active", f.active());
        o.put("url", publicBase + "/forms/" + f.id());
        o.put("version", f.version());
        o.put("created_at", f.createdAt().toString());
        o.put("modified_at", f.modifiedAt().toString());
        return o;
    }
}
