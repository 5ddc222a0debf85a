package io.waymark.signal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/**
 * Something that happened, as one entry of the signal log: a record created, an email opened, a
 * form submitted, a timer fired. Signals of one subject are totally ordered by {@code seq} within
 * their {@code partition} (a subject always maps to the same partition); that order is the order
 * in which consumers see them.
 *
 * @param id         unique per organisation; a client may supply it to make a resend harmless
 * @param partition  which of {@link SignalLog#PARTITIONS} ordered streams holds the signal
 * @param seq        position in the partition, assigned in commit order
 * @param type       dotted lower-case name, e.g. {@code record.updated}, {@code email.opened}
 * @param subject    the customer or thing the signal concerns
 * @param module     the module of the record concerned, or null
 * @param recordId   the record concerned, or null
 * @param payload    the details, a JSON object
 * @param occurredAt when it happened (as told by the source)
 * @param recordedAt when Waymark appended it
 * @param actor      the user who caused it, or null for an outside source
 */
public record Signal(
        UUID id,
        UUID orgId,
        int partition,
        long seq,
        String type,
        String subject,
        String module,
        UUID recordId,
        ObjectNode payload,
        Instant occurredAt,
        Instant recordedAt,
        UUID actor) {
}
