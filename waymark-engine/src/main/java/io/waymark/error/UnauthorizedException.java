package io.waymark.error;

import java.util.List;

/** No valid credentials were presented. */
public final class UnauthorizedException extends WaymarkException {
    public UnauthorizedException(String message) {
        super(message, List.of());
    }

    public UnauthorizedException(String message, List<FieldError> errors) {
        super(message, errors);
    }

    @Override
    public int status() {
        return 401;
    }

    @Override
    public String title() {
        return "Unauthorized";
    }
}
