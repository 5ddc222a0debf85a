package io.waymark.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.waymark.Actor;
import io.waymark.criteria.CriteriaException;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import io.waymark.record.Attachment;
import io.waymark.record.Attachments;
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
    private final java.util.function.Supplier<Attachments> attachments;
    private final HttpMetrics metrics;
    private final long maxBody;

    RecordApi(Records records, java.util.function.Supplier<Attachments> attachments, HttpMetrics metrics, long maxBody) {
        this.records = records;
        this.attachments = attachments;
        this.metrics = metrics;
        this.maxBody = maxBody;
    }

    // ---------------------------------------------------------------- attachments

    /** The attachments of a record (metadata only), oldest first. */
    void attachments(Context ctx) {
        List<ObjectNode> items = attachments.get().list(Authentication.actor(ctx), ctx.pathParam("module"), Params.recordId(ctx)).stream()
                .map(Attachments::json).toList();
        Responses.json(ctx, 200, Responses.list(items));
    }

    /**
     * Attaches the request body as a file: its media type is the request's {@code Content-Type},
     * its name the {@code file_name} query parameter (or the {@code filename} of a
     * {@code Content-Disposition} header).
     */
    void attach(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        String module = ctx.pathParam("module");
        UUID id = Params.recordId(ctx);
        String name = ctx.queryParam("file_name");
        if (name == null) {
            name = dispositionFileName(ctx.header("Content-Disposition"));
        }
        byte[] body = JsonBody.read(ctx, Attachments.MAX_BYTES);
        Attachment a = attachments.get().add(actor, module, id, name, ctx.contentType(), body);
        ctx.header("Location", "/api/v1/records/" + a.module() + "/" + a.recordId() + "/attachments/" + a.id());
        Responses.json(ctx, 201, Attachments.json(a));
    }

    void attachment(Context ctx) {
        Attachment a = attachments.get().get(Authentication.actor(ctx), ctx.pathParam("module"), Params.recordId(ctx), Params.pathId(ctx, "attachmentId"));
        Responses.json(ctx, 200, Attachments.json(a));
    }

    /** The file itself, as a download (never rendered inline: it is whatever someone uploaded). */
    void attachmentContent(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        String module = ctx.pathParam("module");
        UUID id = Params.recordId(ctx);
        UUID attachmentId = Params.pathId(ctx, "attachmentId");
        Attachment a = attachments.get().get(actor, module, id, attachmentId);
        byte[] content = attachments.get().content(actor, module, id, attachmentId);
        ctx.status(200);
        ctx.contentType(a.contentType());
        ctx.header("Content-Disposition", "attachment; filename*=UTF-8''" + java.net.URLEncoder.encode(a.fileName(), java.nio.charset.StandardCharsets.UTF_8)
                .replace("+", "%20"));
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("ETag", "\"" + a.sha256() + "\"");
        ctx.result(content);
    }

    void detach(Context ctx) {
        attachments.get().remove(Authentication.actor(ctx), ctx.pathParam("module"), Params.recordId(ctx), Params.pathId(ctx, "attachmentId"));
        Responses.noContent(ctx);
    }

    /** The {@code filename} of a {@code Content-Disposition} header, or null. */
    static String dispositionFileName(String header) {
        if (header == null) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("filename=\"([^\"]*)\"|filename=([^;\\s]+)").matcher(header);
        return m.find() ? (m.group(1) != null ? m.group(1) : m.group(2)) : null;
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

    /**
     * {@code GET /records/{module}/export?criteria=&sort=}: every visible matching record as CSV
     * (at most {@link Records#MAX_EXPORT}; {@code X-Export-Truncated: true} when more matched).
     * Needs the export permission and is written to the audit log.
     */
    void export(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        CriteriaParams.Parsed criteria = CriteriaParams.from(ctx);
        Records.Export export;
        try {
            export = records.export(actor, ctx.pathParam("module"), criteria.criteria(), Params.text(ctx, "sort"));
        } catch (CriteriaException e) {
            throw criteria.relabel(e);
        }
        Module module = export.module();
        StringBuilder csv = new StringBuilder();
        List<String> header = new java.util.ArrayList<>(List.of("id", "owner", "created_at", "modified_at"));
        module.visibleFields().forEach(f -> header.add(f.apiName()));
        csv.append(String.join(",", header.stream().map(RecordApi::csv).toList())).append("\r\n");
        for (Record r : export.records()) {
            List<String> row = new java.util.ArrayList<>();
            row.add(r.id().toString());
            row.add(r.owner() == null ? "" : r.owner().toString());
            row.add(r.createdAt().toString());
            row.add(r.modifiedAt().toString());
            for (io.waymark.record.Field f : module.visibleFields()) {
                Object v = r.values().get(f.apiName());
                JsonNode j = io.waymark.record.FieldValues.toJson(v);
                row.add(v == null ? "" : j.isValueNode() ? j.asText() : Json.write(j));
            }
            csv.append(String.join(",", row.stream().map(RecordApi::csv).toList())).append("\r\n");
        }
        ctx.header("Content-Disposition", "attachment; filename=\"" + module.apiName() + ".csv\"");
        ctx.header("X-Export-Truncated", Boolean.toString(export.truncated()));
        ctx.status(200);
        ctx.contentType("text/csv; charset=utf-8");
        ctx.result(csv.toString());
    }

    /** RFC 4180 quoting; a leading =, +, - or @ is defused so that spreadsheets do not run it as a formula. */
    private static String csv(String v) {
        String s = v;
        if (!s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0 && !s.matches("^-?[0-9.]+$")) {
            s = "'" + s;
        }
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }

    /** {@code POST /records/{module}/transfer} with {@code {"ids": [...], "owner": "<user id>"}}: all or none. */
    void transfer(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        String moduleName = ctx.pathParam("module");
        JsonNode body = JsonBody.required(ctx, maxBody);
        if (!body.isObject() || !body.path("ids").isArray() || body.get("ids").isEmpty()) {
            throw new ValidationException("Expected ids and owner", List.of(new FieldError("ids", "must be a non-empty list of record ids")));
        }
        List<UUID> ids = new java.util.ArrayList<>();
        for (JsonNode n : body.get("ids")) {
            UUID id = n.isTextual() ? io.waymark.Ids.parse(n.textValue()) : null;
            if (id == null) {
                throw new ValidationException("Invalid id", List.of(new FieldError("ids", "must hold record ids (UUIDs); " + n + " is not one")));
            }
            ids.add(id);
        }
        UUID owner = body.path("owner").isTextual() ? io.waymark.Ids.parse(body.get("owner").textValue()) : null;
        if (owner == null) {
            throw new ValidationException("Invalid owner", List.of(new FieldError("owner", "is required: the id of an active user")));
        }
        List<Record> moved = records.transferOwnership(actor, moduleName, ids, owner);
        metrics.recordsWritten(moved.size());
        Responses.json(ctx, 200, Responses.list(records.render(actor, records.module(actor, moduleName), moved)));
    }

    private ObjectNode render(Actor actor, Module module, Record r) {
        return records.render(actor, module, List.of(r)).get(0);
    }
}
