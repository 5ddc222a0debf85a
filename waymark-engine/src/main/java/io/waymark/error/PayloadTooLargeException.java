package io.waymark.error;

import java.util.List;

/** The request carries more than the engine accepts in one call. */
public final class PayloadTooLargeException extends WaymarkException {
    public PayloadTooLargeException(String message) {
        super(message, List.of());
    }

    public PayloadTooLargeException(String message, List<FieldError> errors) {
        super(message, errors);
    }

    @Override
    public int status() {
        return 413;
    }

    @Override
    public String title() {
        return "Payload too large";
    }
}
