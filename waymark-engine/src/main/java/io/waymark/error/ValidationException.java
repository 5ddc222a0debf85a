package io.waymark.error;

import java.util.List;

/** The input breaks one or more rules; {@link #errors()} names each field. */
public class ValidationException extends WaymarkException {
    public ValidationException(String message) {
        super(message, List.of());
    }

    public ValidationException(String message, List<FieldError> errors) {
        super(message, errors);
    }

    @Override
    public int status() {
        return 400;
    }

    @Override
    public String title() {
        return "Invalid input";
    }
}
