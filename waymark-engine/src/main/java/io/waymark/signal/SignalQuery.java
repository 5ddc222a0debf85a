package io.waymark.signal;

import java.time.Instant;
import java.util.UUID;

/**
 * A read of the log. With a subject (or a record) the signals come in the subject's order;
 * otherwise by time of occurrence. Every filter is optional; {@code limit} is 1 to 1000.
 *
 * @param after a cursor returned by the previous page, or null
 */
public record SignalQuery(String subject, UUID recordId, String type, Instant from, Instant to, int limit, String after) {
}
