package io.waymark.server;

import java.time.Duration;
import java.util.Objects;

/**
 * How the HTTP server listens.
 *
 * @param port           the TCP port; 0 picks a free one (read it back with {@link WaymarkServer#port()})
 * @param maxRequestSize the largest request body accepted, in bytes; larger ones get 413
 * @param stopTimeout    how long a graceful stop waits for requests in flight
 */
public record ServerConfig(int port, long maxRequestSize, Duration stopTimeout) {
    /** 16 MB: a full bulk batch of 1,000 records with long texts fits comfortably. */
    public static final long DEFAULT_MAX_REQUEST_SIZE = 16L * 1024 * 1024;
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(10);

    public ServerConfig {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
        }
        if (maxRequestSize < 1) {
            throw new IllegalArgumentException("maxRequestSize must be positive");
        }
        Objects.requireNonNull(stopTimeout, "stopTimeout");
    }

    /** The defaults on {@code port}. */
    public ServerConfig(int port) {
        this(port, DEFAULT_MAX_REQUEST_SIZE, DEFAULT_STOP_TIMEOUT);
    }

    /** The defaults on {@code port}. */
    public static ServerConfig ofPort(int port) {
        return new ServerConfig(port);
    }
}
