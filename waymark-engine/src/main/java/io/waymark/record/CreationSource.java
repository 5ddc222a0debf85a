package io.waymark.record;

import java.util.Locale;
import java.util.Optional;

/**
 * Through which door a record came in. Written on its {@code record.created} signal (payload
 * {@code source}), the record's permanent creation fact, and matched by review processes, which
 * hold records entering from outside for review.
 *
 * <ul>
 *   <li>{@code api}: one record created through the records API ({@code POST /records/{module}} with an object);
 *   <li>{@code import}: a bulk create (an array of records, a data load);
 *   <li>{@code form}: a public web form submission;
 *   <li>{@code wizard}: a user finishing a wizard;
 *   <li>{@code kiosk}: a kiosk console's create action;
 *   <li>{@code automation}: an automation's action (a workflow rule, a journey, a blueprint), or a lead conversion.
 * </ul>
 */
public enum CreationSource {
    API, IMPORT, FORM, WIZARD, KIOSK, AUTOMATION;

    /** The name used in JSON: lower case, e.g. {@code form}. */
    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<CreationSource> parse(String s) {
        for (CreationSource c : values()) {
            if (c.apiName().equals(s)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
