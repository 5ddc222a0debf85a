package io.waymark.cadence;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.action.ActionContext;
import io.waymark.action.ActionFailure;
import io.waymark.action.ActionResult;
import io.waymark.action.TransactionalActionType;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;

/**
 * The catalogue's "enroll in a cadence" action ({@code enroll_in_cadence}, config
 * {@code {"cadence_id": "..."}}): enrolls the subject record in the cadence's latest published
 * version, under the cadence's re-enrollment rule. A definition naming it is valid only if the
 * cadence exists, is published and is for the automation's module. A record already in the
 * cadence, or kept out by the rule, or a paused cadence, is a success that reports
 * {@code skipped} with the reason (retrying could not change it).
 */
final class EnrollInCadence implements TransactionalActionType {
    static final String NAME = "enroll_in_cadence";

    private final Cadences cadences;

    EnrollInCadence(Cadences cadences) {
        this.cadences = cadences;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void validate(Actor actor, String module, ObjectNode config) {
        List<FieldError> errors = new ArrayList<>();
        for (Iterator<String> it = config.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("cadence_id")) {
                errors.add(new FieldError("config." + k, "unknown property; expected cadence_id"));
            }
        }
        UUID id = Ids.parse(config.path("cadence_id").asText(""));
        if (id == null) {
            errors.add(new FieldError("config.cadence_id", "is required: the id of a published cadence"));
        } else {
            CadenceStore.StoredCadence c = cadences.store().findCadence(actor.orgId(), id).orElse(null);
            if (c == null) {
                errors.add(new FieldError("config.cadence_id", "no cadence has this id"));
            } else if (c.latest() == 0) {
                errors.add(new FieldError("config.cadence_id", "cadence '" + c.name() + "' is not published"));
            } else if (module != null && !module.equals(c.module())) {
                errors.add(new FieldError("config.cadence_id", "cadence '" + c.name() + "' enrolls " + c.module() + " records, not " + module));
            }
        }
        if (module == null) {
            errors.add(new FieldError("config", NAME + " needs a subject record to enroll"));
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors.get(0).field() + " " + errors.get(0).message(), errors);
        }
    }

    @Override
    public ActionResult execute(ActionContext ctx) throws ActionFailure {
        if (ctx.recordId() == null || ctx.module() == null) {
            throw new ActionFailure(NAME + " has no record to enroll", false);
        }
        UUID id = UUID.fromString(ctx.config().get("cadence_id").asText());
        return new ActionResult(cadences.enrollByAutomation(ctx.actor().orgId(), id, ctx.module(), ctx.recordId()));
    }
}
