package io.waymark.record;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The kinds of value a field can hold. The JSON name ({@link #apiName()}) is what the metadata
 * API speaks; the Java type of a stored value is fixed per kind (see {@link FieldValues}).
 */
public enum FieldType {
    TEXT, LONG_TEXT, EMAIL, PHONE, URL, INTEGER, DECIMAL, CURRENCY, PERCENT, BOOLEAN, DATE, DATETIME,
    PICKLIST, MULTI_SELECT, LOOKUP, OWNER;

    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<FieldType> fromApiName(String name) {
        return Arrays.stream(values()).filter(t -> t.apiName().equals(name)).findFirst();
    }

    /** Text-like kinds, compared case-insensitively and searchable with contains / starts with. */
    public boolean isText() {
        return this == TEXT || this == LONG_TEXT || this == EMAIL || this == PHONE || this == URL || this == PICKLIST;
    }

    /** Kinds held as {@link java.math.BigDecimal}. */
    public boolean isDecimal() {
        return this == DECIMAL || this == CURRENCY || this == PERCENT;
    }

    public boolean isNumeric() {
        return this == INTEGER || isDecimal();
    }

    public boolean isTemporal() {
        return this == DATE || this == DATETIME;
    }

    /** Kinds whose value is the id of a record or user. */
    public boolean isReference() {
        return this == LOOKUP || this == OWNER;
    }

    /** The longest text a value of this kind may have when the field sets no limit of its own. */
    public int defaultMaxLength() {
        return switch (this) {
            case LONG_TEXT -> 32_000;
            case EMAIL -> 254;
            case PHONE -> 30;
            case URL -> 2_048;
            default -> 255;
        };
    }

    /** The widest limit a field of this kind may set. */
    public int maxMaxLength() {
        return this == LONG_TEXT ? 32_000 : defaultMaxLength();
    }
}
