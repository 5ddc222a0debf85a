package io.waymark.pathfinder;

import java.time.Instant;
import java.util.UUID;

/**
 * An imported log kept for analysis: what it was, and its size.
 *
 * @param format        {@code xes} or {@code csv}
 * @param hasLifecycle  whether its events carry life-cycle transitions (the name+lifecycle
 *                      classifier then differs from the name one)
 * @param storedBytes   the size of its compact stored form
 */
public record Dataset(UUID id, UUID orgId, String name, String format, int cases, long events, int eventClasses, boolean hasLifecycle,
                      long storedBytes, Instant createdAt, UUID createdBy) {
}
