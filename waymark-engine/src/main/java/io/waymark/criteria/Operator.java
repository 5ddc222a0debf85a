package io.waymark.criteria;

import java.util.Arrays;
import java.util.Optional;

/** A comparison a condition makes. The API name is the lower-case name ({@code starts_with}). */
public enum Operator {
    EQUALS(1), NOT_EQUALS(1), CONTAINS(1), NOT_CONTAINS(1), STARTS_WITH(1), ENDS_WITH(1),
    IS_EMPTY(0), IS_NOT_EMPTY(0),
    LESS_THAN(1), LESS_EQUAL(1), GREATER_THAN(1), GREATER_EQUAL(1), BETWEEN(2),
    IN(-1), NOT_IN(-1),
    BEFORE(1), AFTER(1), WITHIN_LAST(1), WITHIN_NEXT(1),
    CHANGED(0), CHANGED_TO(1), CHANGED_FROM(1);

    private final int arity;

    Operator(int arity) {
        this.arity = arity;
    }

    /** How many values the operator takes; -1 means one or more. */
    public int arity() {
        return arity;
    }

    public String apiName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Operators that compare a record with its previous version: usable only where there is one. */
    public boolean needsPrevious() {
        return this == CHANGED || this == CHANGED_TO || this == CHANGED_FROM;
    }

    public static Optional<Operator> fromApiName(String name) {
        return Arrays.stream(values()).filter(o -> o.apiName().equalsIgnoreCase(name)).findFirst();
    }
}
