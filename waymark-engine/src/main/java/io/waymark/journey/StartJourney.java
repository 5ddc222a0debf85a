package io.waymark.journey;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.action.ActionContext;
import io.waymark.action.ActionFailure;
import io.waymark.action.ActionResult;
import io.waymark.action.TransactionalActionType;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The {@code start_journey} action: enrolls the subject record in a journey,
 * {@code {"journey_id": "...", "state": "optional start state"}}, so that a workflow rule or
 * another journey can start one. The journey must be active and have an {@code api} entry
 * trigger; its re-entry policy decides whether a customer already in it starts again (if not,
 * the action succeeds with {@code skipped: true}).
 */
final class StartJourney implements TransactionalActionType {
    private final Journeys journeys;

    StartJourney(Journeys journeys) {
        this.journeys = journeys;
    }

    @Override
    public String name() {
        return "start_journey";
    }

    @Override
    public void validate(Actor actor, String module, ObjectNode config) {
        List<FieldError> errors = new ArrayList<>();
        for (Iterator<String> it = config.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!Set.of("journey_id", "state").contains(k)) {
                errors.add(new FieldError("config." + k, "unknown property; expected journey_id or state"));
            }
        }
        UUID id = Ids.parse(config.path("journey_id").asText(""));
        if (id == null) {
            errors.add(new FieldError("config.journey_id", "is required: the id of a journey"));
        } else if (journeys.store().findJourney(actor.orgId(), id).isEmpty()) {
            errors.add(new FieldError("config.journey_id", "no journey has this id"));
        }
        if (module == null) {
            errors.add(new FieldError("config", "start_journey needs a subject record to enroll"));
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors.get(0).field() + " " + errors.get(0).message(), errors);
        }
    }

    @Override
    public ActionResult execute(ActionContext ctx) throws ActionFailure {
        if (ctx.recordId() == null) {
            throw new ActionFailure("start_journey has no record to enroll", false);
        }
        ObjectNode body = Json.object();
        body.put("module", ctx.module()).put("record_id", ctx.recordId().toString());
        if (ctx.config().hasNonNull("state")) {
            body.put("state", ctx.config().get("state").asText());
        }
        UUID id = UUID.fromString(ctx.config().get("journey_id").asText());
        ObjectNode instance = journeys.enrollAsAutomation(ctx.actor(), id, body);
        ObjectNode detail = Json.object();
        if (instance == null) {
            detail.put("skipped", true).put("reason", "the re-entry policy keeps this customer out");
        } else {
            detail.put("instance_id", instance.get("id").asText()).put("state", instance.get("state").asText());
        }
        return new ActionResult(detail);
    }
}
