package io.waymark.email;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.action.ActionContext;
import io.waymark.action.ActionFailure;
import io.waymark.action.ActionResult;
import io.waymark.action.ActionType;
import io.waymark.error.FieldError;
import io.waymark.error.NotFoundException;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import io.waymark.record.Module;
import io.waymark.record.Records;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The {@code send_email} action: {@code {"template_id": "...", "to": "Email" | "owner" | "a@b.c"}}
 * ({@code to} optional: the record's email field). Sends the template to the subject record with
 * the outbox's idempotency key, so a retry after a crash sends the same message (same Message-ID)
 * and a retry after success sends nothing.
 *
 * <p>Failures: an SMTP server that is down or answers 4xx is retryable; an unsubscribed or
 * opted-out recipient, a missing address, a deleted template or record are permanent.
 */
public final class SendEmailAction implements ActionType {
    public static final String NAME = "send_email";
    private static final Set<String> KEYS = Set.of("template_id", "to", "from");

    private final Email email;
    private final Records records;

    public SendEmailAction(Email email, Records records) {
        this.email = email;
        this.records = records;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void validate(Actor actor, String module, ObjectNode config) {
        List<FieldError> errors = new ArrayList<>();
        if (config == null) {
            throw new ValidationException("config is required", List.of(new FieldError("config", "is required")));
        }
        config.fieldNames().forEachRemaining(k -> {
            if (!KEYS.contains(k)) {
                errors.add(new FieldError("config." + k, "unknown property; expected one of " + new java.util.TreeSet<>(KEYS)));
            }
        });
        JsonNode idNode = config.get("template_id");
        UUID id = idNode != null && idNode.isTextual() ? Ids.parse(idNode.textValue()) : null;
        if (id == null) {
            errors.add(new FieldError("config.template_id", "is required: the id of an email template"));
        }
        JsonNode toNode = config.get("to");
        if (toNode != null && !toNode.isNull() && !toNode.isTextual()) {
            errors.add(new FieldError("config.to", "must be a string"));
        }
        JsonNode fromNode = config.get("from");
        if (fromNode != null && !fromNode.isNull() && !(fromNode.isTextual()
                && (fromNode.textValue().equals("record_owner") || Ids.parse(fromNode.textValue()) != null))) {
            errors.add(new FieldError("config.from", "must be record_owner or a user id"));
        }
        if (module == null) {
            errors.add(new FieldError("config", "send_email needs a subject record (an automation on a module)"));
        }
        if (id != null && module != null) {
            try {
                EmailTemplate t = email.templates().get(actor, id);
                if (!t.module().equals(module)) {
                    errors.add(new FieldError("config.template_id", "template '" + t.name() + "' is for " + t.module() + ", not " + module));
                }
                Module m = records.module(actor, module);
                String problem = Email.checkRecipient(m, toNode == null || toNode.isNull() ? null : toNode.asText());
                if (problem != null) {
                    errors.add(new FieldError("config.to", problem));
                }
            } catch (NotFoundException e) {
                errors.add(new FieldError("config.template_id", "no email template has id " + id));
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException("Invalid send_email config", errors);
        }
    }

    @Override
    public ActionResult execute(ActionContext c) throws ActionFailure {
        if (c.recordId() == null || c.module() == null) {
            throw new ActionFailure("send_email needs a subject record", false);
        }
        UUID templateId = Ids.parse(c.config().path("template_id").asText(null));
        String to = c.config().hasNonNull("to") ? c.config().get("to").asText() : null;
        String from = c.config().hasNonNull("from") ? c.config().get("from").asText() : null;
        try {
            EmailMessage m = email.send(c.actor(), new Email.SendRequest(templateId, c.module(), c.recordId(), to, c.idempotencyKey(), from));
            ObjectNode d = Json.object();
            d.put("email_id", m.id().toString());
            d.put("message_id", m.headerMessageId());
            d.put("to", m.toAddress());
            d.put("status", m.status());
            return new ActionResult(d);
        } catch (EmailNotSentException e) {
            throw new ActionFailure(e.getMessage(), e.retryable(), e);
        } catch (NotFoundException | ValidationException e) {
            // The template or the record is gone, or no longer fits: retrying cannot help.
            throw new ActionFailure(e.getMessage(), false, e);
        }
    }
}
