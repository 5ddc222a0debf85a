package io.waymark.error;

import java.time.Duration;
import java.util.List;

/** Too many requests or failed logins: the caller may retry after {@link #retryAfter()}. */
public final class TooManyRequestsException extends WaymarkException {
    private final Duration retryAfter;

    public TooManyRequestsException(String message, Duration retryAfter) {
        super(message, List.of());
        this.retryAfter = retryAfter;
    }

    /** How long the caller should wait, at least one second. */
    public Duration retryAfter() {
        return retryAfter.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : retryAfter;
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
