package io.waymark.server;

import java.time.Duration;
import java.util.Objects;

/**
 * How the HTTP server listens.
 *
 * @param port           the TCP port; 0 picks a free one (read it back with {@link WaymarkServer#port()})
 * @param maxRequestSize the largest request body accepted, in bytes; larger ones get 413
 * @param stopTimeout    how long a graceful stop waits for requests in flight
 * @param rateLimit      requests allowed per API token or session (429 with Retry-After beyond)
 * @param secureCookies  whether the session cookie is marked Secure (only sent over HTTPS; browsers
 *                       treat http://localhost as secure)
 */
public record ServerConfig(int port, long maxRequestSize, Duration stopTimeout, RateLimit rateLimit, boolean secureCookies) {
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
        Objects.requireNonNull(rateLimit, "rateLimit");
    }

    public ServerConfig(int port, long maxRequestSize, Duration stopTimeout) {
        this(port, maxRequestSize, stopTimeout, RateLimit.DEFAULT, true);
    }

    /** The defaults on {@code port}. */
    public ServerConfig(int port) {
        this(port, DEFAULT_MAX_REQUEST_SIZE, DEFAULT_STOP_TIMEOUT);
    }

    /** The defaults on {@code port}. */
    public static ServerConfig ofPort(int port) {
        return new ServerConfig(port);
    }

    public ServerConfig withRateLimit(RateLimit limit) {
        return new ServerConfig(port, maxRequestSize, stopTimeout, limit, secureCookies);
    }

    public ServerConfig withSecureCookies(boolean secure) {
        return new ServerConfig(port, maxRequestSize, stopTimeout, rateLimit, secure);
    }

    /**
     * A token bucket per caller: up to {@code requests} at once, refilled at {@code requests} per
     * {@code per}. {@link #NONE} turns limiting off.
     */
    public record RateLimit(long requests, Duration per) {
        /** 1,200 requests a minute per token: 20 a second sustained, bursts of 1,200. */
        public static final RateLimit DEFAULT = new RateLimit(1_200, Duration.ofMinutes(1));
        public static final RateLimit NONE = new RateLimit(0, Duration.ofMinutes(1));

        public RateLimit {
            if (requests < 0) {
                throw new IllegalArgumentException("requests must not be negative");
            }
            if (per == null || per.isZero() || per.isNegative()) {
                throw new IllegalArgumentException("per must be positive");
            }
        }

        public boolean enabled() {
            return requests > 0;
        }
    }
}
