package io.waymark.identity;

import java.util.Locale;
import java.util.Optional;

/** What a profile may do with the records of a module. */
public enum ModuleAction {
    VIEW, CREATE, EDIT, DELETE, EXPORT;

    /** The name used in JSON: lower case. */
    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ModuleAction> parse(String s) {
        for (ModuleAction a : values()) {
            if (a.apiName().equals(s)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
