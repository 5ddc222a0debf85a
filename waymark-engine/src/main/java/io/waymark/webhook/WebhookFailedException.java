package io.waymark.webhook;

import io.waymark.error.WaymarkException;
import java.util.List;

/**
 * A webhook call failed. Retryable: the target timed out, could not be reached or answered 5xx,
 * 408 or 429. Permanent: it answered another 4xx or a redirect, or its address is refused.
 */
public final class WebhookFailedException extends WaymarkException {
    private final boolean retryable;
    private final int status;

    public WebhookFailedException(String message, boolean retryable, int status) {
        super(message, List.of());
        this.retryable = retryable;
        this.status = status;
    }

    public boolean retryable() {
        return retryable;
    }

    /** The target's HTTP status, or 0 when there was no answer. */
    public int targetStatus() {
        return status;
    }

    @Override
    public int status() {
        return 502;
    }

    @Override
    public String title() {
        return "Webhook call failed";
    }
}
