package io.waymark.error;

import java.util.List;

/** A rule of a process forbids the request in the current state. */
public final class ProcessRuleException extends WaymarkException {
    public ProcessRuleException(String message) {
        super(message, List.of());
    }

    public ProcessRuleException(String message, List<FieldError> errors) {
        super(message, errors);
    }

    @Override
    public int status() {
        return 422;
    }

    @Override
    public String title() {
        return "Not allowed now";
    }
}
