package io.waymark.error;

import java.util.List;

/** The request conflicts with the current state: a stale version, a duplicate unique value, a locked record. */
public final class ConflictException extends WaymarkException {
    public ConflictException(String message) {
        super(message, List.of());
    }

    public ConflictException(String message, List<FieldError> errors) {
        super(message, errors);
    }

    @Override
    public int status() {
        return 409;
    }

    @Override
    public String title() {
        return "Conflict";
    }
}
