package io.waymark.action;

/** An action that failed; {@code retryable=false} means retrying cannot help (a 4xx answer, a bad address). */
public final class ActionFailure extends Exception {
    private final boolean retryable;

    public ActionFailure(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    public ActionFailure(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
