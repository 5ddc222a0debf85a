package io.waymark.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.waymark.Actor;
import io.waymark.criteria.CriteriaException;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import io.waymark.record.Module;
import io.waymark.record.Record;
import io.waymark.record.RecordStore;
import io.waymark.record.Records;
import io.waymark.signal.SignalPage;
import java.util.List;
import java.util.UUID;

/** {@code /api/v1/records}: records of any module, their relations, timeline and lead conversion. */
final class RecordApi {
    private final Records records;
    private final HttpMetrics metrics;
    private final long maxBody;

    RecordApi(Records records, HttpMetrics metrics, long maxBody) {
        this.records = records;
        this.metrics = metrics;
        this.maxBody = maxBody;
    }

    /** One object creates one record (201 + Location); an array creates them all or none. */
    void create(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        String moduleName = ctx.pathParam("module");
        JsonNode body = JsonBody.required(ctx, maxBody);
        if (body.isArray()) {
            List<Record> created = records.createAll(actor, moduleName, JsonBody.items(body));
            metrics.recordsWritten(created.size());
            Module module = records.module(actor, moduleName);
            Responses.json(ctx, 201, Responses.list(records.render(actor, module, created)));
            return;
        }
        Record r = records.create(actor, moduleName, body);
        metrics.recordsWritten(1);
        Module module = records.module(actor, moduleName);
        ctx.header("Location", "/api/v1/records/" + module.apiName() + "/" + r.id());
        ctx.header("ETag", Params.etag(r.version()));
        Responses.json(ctx, 201, render(actor, module, r));
    }

    /** Bulk update: an array of objects, each naming its {@code id} (and optionally {@code version}). */
    void updateAll(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        String moduleName = ctx.pathParam("module");
        JsonNode body = JsonBody.required(ctx, maxBody);
        if (!body.isArray()) {
            throw new ValidationException("Expected an array", List.of(new FieldError("body",
                    "must be an array of records, each with its id; to update one record use PATCH /api/v1/records/{module}/{id}")));
        }
        List<Record> updated = records.updateAll(actor, moduleName, JsonBody.items(body));
        metrics.recordsWritten(updated.size());
        Responses.json(ctx, 200, Responses.list(records.render(actor, records.module(actor, moduleName), updated)));
    }

    void get(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        String moduleName = ctx.pathParam("module");
        Record r = records.get(actor, moduleName, Params.recordId(ctx));
        ctx.header("ETag", Params.etag(r.version()));
        Responses.json(ctx, 200, render(actor, records.module(actor, moduleName), r));
    }

    /** The expected version comes from {@code If-Match} or, failing that, the body's {@code version}. */
    void update(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        String moduleName = ctx.pathParam("module");
        UUID id = Params.recordId(ctx);
        Long ifMatch = ctx.header("If-Match") == null ? null : Params.expectedVersion(ctx);
        JsonNode body = JsonBody.required(ctx, maxBody);
        Record r = records.update(actor, moduleName, id, body, ifMatch);
        metrics.recordsWritten(1);
        ctx.header("ETag", Params.etag(r.version()));
        Responses.json(ctx, 200, render(actor, records.module(actor, moduleName), r));
    }

    void delete(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        String moduleName = ctx.pathParam("module");
        UUID id = Params.recordId(ctx);
        records.delete(actor, moduleName, id, Params.expectedVersion(ctx));
        metrics.recordsWritten(1);
        Responses.noContent(ctx);
    }

    void list(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        String moduleName = ctx.pathParam("module");
        CriteriaParams.Parsed criteria = CriteriaParams.from(ctx);
        String sort = Params.text(ctx, "sort");
        int limit = Params.limit(ctx);
        RecordStore.RecordPage page;
        try {
            page = records.list(actor, moduleName, criteria.criteria(), sort, limit, Params.cursor(ctx));
        } catch (CriteriaException e) {
            throw criteria.relabel(e);
        }
        Module module = records.module(actor, moduleName);
        Responses.json(ctx, 200, Responses.page(records.render(actor, module, page.records()), page.next()));
    }

    void count(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        CriteriaParams.Parsed criteria = CriteriaParams.from(ctx);
        long n;
        try {
            n = records.count(actor, ctx.pathParam("module"), criteria.criteria());
        } catch (CriteriaException e) {
            throw criteria.relabel(e);
        }
        ObjectNode o = Json.object();
        o.put("count", n);
        Responses.json(ctx, 200, o);
    }

    void related(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        String moduleName = ctx.pathParam("module");
        String relatedName = ctx.pathParam("relatedModule");
        RecordStore.RecordPage page = records.related(actor, moduleName, Params.recordId(ctx), relatedName,
                Params.text(ctx, "field"), Params.limit(ctx), Params.cursor(ctx));
        Module related = records.module(actor, relatedName);
        Responses.json(ctx, 200, Responses.page(records.render(actor, related, page.records()), page.next()));
    }

    void timeline(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        String moduleName = ctx.pathParam("module");
        SignalPage page = records.timeline(actor, moduleName, Params.recordId(ctx), Params.limit(ctx), Params.cursor(ctx));
        List<ObjectNode> entries = page.signals().stream().map(SignalJson::timelineEntry).toList();
        Responses.json(ctx, 200, Responses.page(entries, page.next()));
    }

    /** Converts a lead; the body (optional) holds the conversion options. */
    void convertLead(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        UUID id = Params.recordId(ctx);
        JsonNode options = JsonBody.optional(ctx, maxBody);
        Records.Conversion c = records.convertLead(actor, id, options.isMissingNode() ? null : options);
        metrics.recordsWritten(2 + (c.account() == null ? 0 : 1) + (c.deal() == null ? 0 : 1));
        ObjectNode o = Json.object();
        o.set("lead", render(actor, records.module(actor, "Leads"), c.lead()));
        o.set("contact", render(actor, records.module(actor, "Contacts"), c.contact()));
        o.set("account", c.account() == null ? Json.MAPPER.nullNode() : render(actor, records.module(actor, "Accounts"), c.account()));
        o.set("deal", c.deal() == null ? Json.MAPPER.nullNode() : render(actor, records.module(actor, "Deals"), c.deal()));
        Responses.json(ctx, 200, o);
    }

    private ObjectNode render(Actor actor, Module module, Record r) {
        return records.render(actor, module, List.of(r)).get(0);
    }
}
