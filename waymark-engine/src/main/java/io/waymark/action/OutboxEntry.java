package io.waymark.action;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/**
 * One action an automation decided on, waiting in (or done by) the outbox.
 *
 * @param source        the deciding automation, e.g. {@code workflow_rule:<id>}
 * @param transactional whether the action's effect is in Waymark's database (run exactly once)
 * @param attempts      how many times it was tried so far
 * @param nextAttemptAt when a pending entry is due; for a running one, when its lease ends
 * @param causeSignal   the signal whose handling decided the action, or null
 * @param depth         how many automations led to it (see {@link io.waymark.signal.Causation})
 */
public record OutboxEntry(
        UUID id,
        UUID orgId,
        String source,
        String type,
        ObjectNode config,
        String module,
        UUID recordId,
        String subject,
        UUID actorId,
        boolean transactional,
        Status status,
        int attempts,
        int maxAttempts,
        Instant nextAttemptAt,
        String lastError,
        ObjectNode result,
        UUID causeSignal,
        int depth,
        Instant createdAt,
        Instant updatedAt) {

    /** Where an entry is in its life. */
    public enum Status {
        /** Waiting to be run (first time or again after a failure). */
        PENDING,
        /** Taken by a worker that is calling an outside system. */
        RUNNING,
        /** Succeeded. */
        DONE,
        /** Gave up: a permanent failure, or the attempts ran out. {@code retry} can revive it. */
        FAILED;

        public String apiName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static java.util.Optional<Status> fromApiName(String s) {
            for (Status v : values()) {
                if (v.apiName().equals(s)) {
                    return java.util.Optional.of(v);
                }
            }
            return java.util.Optional.empty();
        }
    }

    /** The idempotency key handed to the action type: stable across every attempt. */
    public String idempotencyKey() {
        return "waymark-" + id;
    }
}
