package io.waymark.webhook;

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
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The {@code webhook} action: {@code {"webhook_id": "..."}}. Calls the webhook about the subject
 * record with the outbox's idempotency key. Timeouts, unreachable targets, 5xx, 408 and 429 are
 * retryable; other 4xx, redirects and refused (SSRF) targets are permanent.
 */
public final class WebhookAction implements ActionType {
    public static final String NAME = "webhook";

    private final Webhooks webhooks;

    public WebhookAction(Webhooks webhooks) {
        this.webhooks = webhooks;
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
            if (!k.equals("webhook_id")) {
                errors.add(new FieldError("config." + k, "unknown property; expected webhook_id"));
            }
        });
        JsonNode idNode = config.get("webhook_id");
        UUID id = idNode != null && idNode.isTextual() ? Ids.parse(idNode.textValue()) : null;
        if (id == null) {
            errors.add(new FieldError("config.webhook_id", "is required: the id of a webhook"));
        } else if (module == null) {
            errors.add(new FieldError("config", "a webhook needs a subject record (an automation on a module)"));
        } else {
            try {
                Webhook w = webhooks.get(actor, id);
                if (!w.module().equals(module)) {
                    errors.add(new FieldError("config.webhook_id", "webhook '" + w.name() + "' is for " + w.module() + ", not " + module));
                }
            } catch (NotFoundException e) {
                errors.add(new FieldError("config.webhook_id", "no webhook has id " + id));
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException("Invalid webhook config", errors);
        }
    }

    @Override
    public ActionResult execute(ActionContext c) throws ActionFailure {
        if (c.recordId() == null || c.module() == null) {
            throw new ActionFailure("a webhook needs a subject record", false);
        }
        UUID id = Ids.parse(c.config().path("webhook_id").asText(null));
        try {
            Webhooks.Delivery d = webhooks.call(c.actor(), id, c.module(), c.recordId(), c.idempotencyKey());
            ObjectNode detail = Json.object();
            detail.put("webhook_id", String.valueOf(id));
            detail.put("status", d.status());
            detail.put("millis", d.millis());
            return new ActionResult(detail);
        } catch (WebhookFailedException e) {
            throw new ActionFailure(e.getMessage(), e.retryable(), e);
        } catch (NotFoundException | ValidationException e) {
            throw new ActionFailure(e.getMessage(), false, e);
        }
    }
}
