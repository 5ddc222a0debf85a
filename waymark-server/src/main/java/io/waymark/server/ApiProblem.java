package io.waymark.server;

import io.waymark.error.FieldError;
import java.util.List;

/**
 * A problem the HTTP layer itself detects (wrong content type, an unusable header) that has no
 * counterpart among the engine's exceptions. Rendered like them, as problem details.
 */
final class ApiProblem extends RuntimeException {
    private final int status;
    private final String title;
    private final List<FieldError> errors;

    ApiProblem(int status, String title, String detail, List<FieldError> errors) {
        super(detail);
        this.status = status;
        this.title = title;
        this.errors = List.copyOf(errors);
    }

    ApiProblem(int status, String title, String detail) {
        this(status, title, detail, List.of());
    }

    int status() {
        return status;
    }

    String title() {
        return title;
    }

    List<FieldError> errors() {
        return errors;
    }
}
