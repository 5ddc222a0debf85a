package io.waymark.action;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import java.time.Instant;
import java.util.UUID;

/**
 * What an {@link ActionType} gets to act on.
 *
 * @param actor          who acts (usually {@link Actor#system(UUID)})
 * @param module         the subject record's module, or null
 * @param recordId       the subject record, or null
 * @param config         the action's validated config
 * @param idempotencyKey stable across retries of this one action; send it along to outside systems
 * @param attempt        1 for the first try
 * @param now            the engine clock's time of this attempt
 */
public record ActionContext(Actor actor, String module, UUID recordId, ObjectNode config,
                            String idempotencyKey, int attempt, Instant now) {
}
