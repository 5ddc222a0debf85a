package io.waymark.error;

import java.util.List;

/** The thing asked for does not exist in the caller's organisation. */
public final class NotFoundException extends WaymarkException {
    public NotFoundException(String message) {
        super(message, List.of());
    }

    public NotFoundException(String message, List<FieldError> errors) {
        super(message, errors);
    }

    @Override
    public int status() {
        return 404;
    }

    @Override
    public String title() {
        return "Not found";
    }
}
