package io.waymark.criteria;

import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import java.util.List;

/** Criteria that cannot be used, with what is wrong and where (400). */
public final class CriteriaException extends ValidationException {
    public CriteriaException(String where, String message) {
        super("Invalid criteria: " + message, List.of(new FieldError(where, message)));
    }
}
