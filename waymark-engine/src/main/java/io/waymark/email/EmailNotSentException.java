package io.waymark.email;

import io.waymark.error.WaymarkException;
import java.util.List;

/**
 * An email was not sent. {@link #retryable()} tells a transient problem (the SMTP server is down:
 * 503) from a permanent one (the recipient unsubscribed, the record has no address: 422).
 */
public final class EmailNotSentException extends WaymarkException {
    private final boolean retryable;

    public EmailNotSentException(String message, boolean retryable) {
        super(message, List.of());
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }

    @Override
    public int status() {
        return retryable ? 503 : 422;
    }

    @Override
    public String title() {
        return retryable ? "Email not sent (temporary)" : "Email not sent";
    }
}
