package io.waymark.signal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/** A signal about to be appended: everything but its place in the log. */
public record NewSignal(
        UUID id,
        UUID orgId,
        String type,
        String subject,
        String module,
        UUID recordId,
        ObjectNode payload,
        Instant occurredAt,
        UUID actor) {

    /** The partition of a subject: a stable hash, so that one subject's signals stay in one ordered stream. */
    public int partition() {
        return SignalLog.partitionOf(orgId, subject);
    }
}
