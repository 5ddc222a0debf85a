package io.waymark.error;

import java.util.List;

/** Too many requests from one source in a short time; the caller should wait {@link #retryAfterSeconds()}. */
public final class RateLimitedException extends WaymarkException {
    private final long retryAfterSeconds;

    public RateLimitedException(String message, long retryAfterSeconds) {
        super(message, List.of());
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    /** Whole seconds until a request from the same source will be accepted again (at least 1). */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    @Override
    public int status() {
        return 429;
    }

    @Override
    public String title() {
        return "Too many requests";
    }
}
