package io.waymark.pathfinder;

import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import java.util.List;

/**
 * What makes two events "the same activity" on a map (the XES event classifier): the event's
 * name ({@code concept:name}), or its name and life-cycle transition together
 * ({@code concept:name} + {@code lifecycle:transition}, shown as {@code name+transition}).
 */
public enum Classifier {
    NAME("name"),
    NAME_LIFECYCLE("name+lifecycle");

    private final String id;

    Classifier(String id) {
        this.id = id;
    }

    /** The form used in the API and on the command line: {@code name} or {@code name+lifecycle}. */
    public String id() {
        return id;
    }

    /** Parses {@code name} or {@code name+lifecycle} (null gives {@link #NAME}). */
    public static Classifier parse(String text, String field) {
        if (text == null || text.isBlank()) {
            return NAME;
        }
        for (Classifier c : values()) {
            if (c.id.equalsIgnoreCase(text.strip()) || c.name().equalsIgnoreCase(text.strip())) {
                return c;
            }
        }
        throw new ValidationException("Unknown classifier '" + text + "'",
                List.of(new FieldError(field, "must be name or name+lifecycle")));
    }

    /** The activity label of an event class under this classifier. */
    String label(String name, String lifecycle) {
        return this == NAME_LIFECYCLE && lifecycle != null && !lifecycle.isEmpty() ? name + "+" + lifecycle : name;
    }
}
