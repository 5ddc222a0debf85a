package io.waymark.error;

import java.util.List;

/** The caller is known but may not do this. */
public final class ForbiddenException extends WaymarkException {
    public ForbiddenException(String message) {
        super(message, List.of());
    }

    @Override
    public int status() {
        return 403;
    }

    @Override
    public String title() {
        return "Forbidden";
    }
}
