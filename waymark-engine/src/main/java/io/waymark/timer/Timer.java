package io.waymark.timer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/**
 * A persistent timer: when {@code dueAt} comes, a {@code timer.fired} signal is appended for
 * {@code subject} with the timer's {@code key} and {@code data} in its payload.
 *
 * @param key     unique per organisation; scheduling the same key again moves the timer
 * @param purpose who set it and why, e.g. {@code workflow_rule}; consumers pick their own timers by it
 */
public record Timer(UUID orgId, String key, String purpose, Instant dueAt, String subject, String module, UUID recordId,
                    ObjectNode data) {
}
