package io.waymark.inbound;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A named incoming-signal endpoint: {@code /in/{id}?key=SECRET&param=value} emits a signal of
 * {@code signalType} with the typed parameters as payload.
 *
 * @param match  ties the signal to a record whose {@code field} equals the {@code param} value, or null
 * @param secret the key, only right after creation (afterwards only its hash is kept)
 */
public record SignalEndpoint(UUID id, String name, String signalType, List<Param> params, Match match, String secret, long version,
                             Instant createdAt, Instant modifiedAt) {
    /**
     * One parameter.
     *
     * @param type {@code text}, {@code number}, {@code boolean}, {@code email}, {@code date} or {@code datetime}
     */
    public record Param(String name, String type, boolean required) {
    }

    /** Which record a signal joins: the one of {@code module} whose {@code field} equals parameter {@code param}. */
    public record Match(String param, String module, String field) {
    }
}
