package io.waymark.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.email.Email;
import io.waymark.email.EmailMessage;
import io.waymark.email.EmailTemplate;
import io.waymark.email.EmailTemplates;
import io.waymark.error.ConflictException;
import io.waymark.error.FieldError;
import io.waymark.error.NotFoundException;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import io.waymark.server.mail.ImapMailbox;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code /api/v1/email}: templates, sending a template to a record, the outbound log (the mail
 * catcher's mailbox when no SMTP server is configured), unsubscribed addresses, and polling the
 * reply mailbox on demand.
 */
final class EmailApi {
    private final Email email;
    private final ImapMailbox mailbox;
    private final long maxBody;

    EmailApi(Email email, ImapMailbox mailbox, long maxBody) {
        this.email = email;
        this.mailbox = mailbox;
        this.maxBody = maxBody;
    }

    void listTemplates(Context ctx) {
        EmailTemplates.Page p = email.templates().list(Authentication.actor(ctx), Params.limit(ctx), Params.cursor(ctx));
        Responses.json(ctx, 200, Responses.page(p.items().stream().map(EmailTemplate::toJson).toList(), p.next()));
    }

    void createTemplate(Context ctx) {
        EmailTemplate t = email.templates().create(Authentication.actor(ctx), JsonBody.required(ctx, maxBody));
        ctx.header("Location", WaymarkServer.API + "/email/templates/" + t.id());
        Responses.json(ctx, 201, t.toJson());
    }

    void getTemplate(Context ctx) {
        Responses.json(ctx, 200, email.templates().get(Authentication.actor(ctx), id(ctx)).toJson());
    }

    void updateTemplate(Context ctx) {
        EmailTemplate t = email.templates().update(Authentication.actor(ctx), id(ctx), JsonBody.required(ctx, maxBody), Params.expectedVersion(ctx));
        Responses.json(ctx, 200, t.toJson());
    }

    void deleteTemplate(Context ctx) {
        email.templates().delete(Authentication.actor(ctx), id(ctx));
        Responses.noContent(ctx);
    }

    /** The template filled for one record, without sending anything. */
    void preview(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        EmailTemplate t = email.templates().get(actor, id(ctx));
        JsonNode body = JsonBody.required(ctx, maxBody);
        UUID recordId = uuid(body, "record_id", true);
        EmailTemplates.Rendered r = email.templates().render(actor, t, recordId, Map.of("Unsubscribe_URL", email.settings().publicBaseUrl() + "/t/u/preview"));
        ObjectNode o = Json.object();
        o.put("subject", r.subject());
        o.put("html", r.html());
        o.put("text", r.text());
        Responses.json(ctx, 200, o);
    }

    void send(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        JsonNode body = JsonBody.required(ctx, maxBody);
        if (!body.isObject()) {
            throw new ValidationException("The body must be a JSON object", List.of(new FieldError("body", "must be a JSON object")));
        }
        UUID template = uuid(body, "template_id", true);
        String module = text(body, "module");
        if (module == null) {
            throw new ValidationException("module is required", List.of(new FieldError("module", "is required")));
        }
        UUID record = uuid(body, "record_id", true);
        EmailMessage m = email.send(actor, new Email.SendRequest(template, module, record, text(body, "to"), text(body, "idempotency_key")));
        ctx.header("Location", WaymarkServer.API + "/email/messages/" + m.id());
        Responses.json(ctx, 201, messageJson(m, true));
    }

    void listMessages(Context ctx) {
        Email.Page p = email.messages(Authentication.actor(ctx), Params.text(ctx, "to"), Params.limit(ctx), Params.cursor(ctx));
        Responses.json(ctx, 200, Responses.page(p.items().stream().map(m -> messageJson(m, false)).toList(), p.next()));
    }

    void getMessage(Context ctx) {
        Responses.json(ctx, 200, messageJson(email.message(Authentication.actor(ctx), id(ctx)), true));
    }

    void getUnsubscribe(Context ctx) {
        String address = ctx.pathParam("address");
        var at = email.unsubscribedAt(Authentication.actor(ctx), address)
                .orElseThrow(() -> new NotFoundException(address + " is not unsubscribed"));
        ObjectNode o = Json.object();
        o.put("address", address.toLowerCase(java.util.Locale.ROOT));
        o.put("unsubscribed_at", at.toString());
        Responses.json(ctx, 200, o);
    }

    void deleteUnsubscribe(Context ctx) {
        email.resubscribe(Authentication.actor(ctx), ctx.pathParam("address"));
        Responses.noContent(ctx);
    }

    void pollMailbox(Context ctx) throws Exception {
        email.requireManager(Authentication.actor(ctx));
        if (mailbox == null) {
            throw new ConflictException("No reply mailbox is configured (set WAYMARK_IMAP_HOST)", List.of());
        }
        ImapMailbox.Result r = mailbox.poll();
        ObjectNode o = Json.object();
        o.put("read", r.read());
        o.put("recognised", r.recognised());
        o.put("failed", r.failed());
        Responses.json(ctx, 200, o);
    }

    static ObjectNode messageJson(EmailMessage m, boolean withBodies) {
        ObjectNode o = Json.object();
        o.put("id", m.id().toString());
        o.put("template_id", m.templateId() == null ? null : m.templateId().toString());
        o.put("module", m.module());
        o.put("record_id", m.recordId() == null ? null : m.recordId().toString());
        o.put("subject", m.subject());
        o.put("from", m.fromAddress());
        o.put("from_name", m.fromName());
        o.put("to", m.toAddress());
        o.put("subject_line", m.subjectLine());
        o.put("message_id", m.headerMessageId());
        o.put("idempotency_key", m.idempotencyKey());
        o.put("status", m.status());
        o.put("delivery", m.transport());
        o.put("error", m.error());
        o.put("attempts", m.attempts());
        o.put("created_at", m.createdAt().toString());
        o.put("sent_at", str(m.sentAt()));
        o.put("opened_at", str(m.openedAt()));
        o.put("clicked_at", str(m.clickedAt()));
        o.put("replied_at", str(m.repliedAt()));
        o.put("bounced_at", str(m.bouncedAt()));
        if (withBodies) {
            o.put("html", m.html());
            o.put("text", m.text());
            o.set("links", Json.MAPPER.valueToTree(m.links()));
        }
        return o;
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    static UUID id(Context ctx) {
        return Params.pathId(ctx, "id");
    }

    static UUID uuid(JsonNode body, String key, boolean required) {
        JsonNode v = body.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                throw new ValidationException(key + " is required", List.of(new FieldError(key, "is required")));
            }
            return null;
        }
        UUID id = v.isTextual() ? Ids.parse(v.textValue()) : null;
        if (id == null) {
            throw new ValidationException(key + " must be a UUID", List.of(new FieldError(key, "must be a UUID")));
        }
        return id;
    }

    static String text(JsonNode body, String key) {
        JsonNode v = body.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new ValidationException(key + " must be a string", List.of(new FieldError(key, "must be a string")));
        }
        return v.textValue();
    }
}
