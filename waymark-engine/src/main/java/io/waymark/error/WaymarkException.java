package io.waymark.error;

import java.util.List;

/**
 * The base of every error the engine reports to its caller. Each kind maps to one HTTP status
 * (see {@link #status()}) so that the server can render it as RFC 9457 problem details without
 * knowing the engine's internals. An engine call that throws one has changed nothing.
 */
public abstract class WaymarkException extends RuntimeException {
    private final List<FieldError> errors;

    protected WaymarkException(String message, List<FieldError> errors) {
        super(message);
        this.errors = List.copyOf(errors);
    }

    /** The HTTP status that describes this error. */
    public abstract int status();

    /** A short, fixed summary of the kind of problem (the problem's {@code title}). */
    public abstract String title();

    /** The individual field errors, possibly empty. */
    public List<FieldError> errors() {
        return errors;
    }
}
