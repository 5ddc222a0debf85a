package io.waymark.action;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;

/**
 * One kind of action in the catalogue every automation uses (field update, create record, send
 * email, webhook …). A definition's action is {@code {"type": "...", "config": {...}}}; the type
 * validates the config when the definition is saved and executes it when an outbox entry for it
 * comes due.
 *
 * <p>Execution is at least once: the outbox may call {@link #execute} again after a crash, with
 * the same {@link ActionContext#idempotencyKey()}. Types whose effect is in Waymark's own
 * database run inside the outbox entry's transaction, so they happen exactly once; types that
 * reach outside (email, webhooks) pass the key along so the far side can drop repeats.
 */
public interface ActionType {
    /** The {@code type} name in definitions, e.g. {@code send_email}. */
    String name();

    /**
     * Checks a config when a definition is saved. Throws {@link io.waymark.error.ValidationException}
     * whose field errors name the offending config path (e.g. {@code config.template_id}).
     *
     * @param module the module of the automation's subject record, or null when it has none
     */
    void validate(Actor actor, String module, ObjectNode config);

    /**
     * Performs the action. Returning normally is success (the result becomes the payload of
     * {@code action.succeeded}); throwing {@link ActionFailure} with {@code retryable=false}
     * fails at once; any other exception is retried with back-off until the attempts run out.
     */
    ActionResult execute(ActionContext context) throws Exception;
}
