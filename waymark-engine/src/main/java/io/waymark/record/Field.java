package io.waymark.record;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;

/**
 * One field of a module: metadata, not a Java property. Fields are added, changed and hidden
 * through the metadata API; a hidden ({@code deleted}) field keeps its stored values so that
 * nothing is lost and it can be restored.
 *
 * @param id             stable identity (API names can be renamed)
 * @param apiName        the name used in JSON and criteria, e.g. {@code Last_Name}
 * @param label          the name shown to people
 * @param type           the kind of value
 * @param required       a record must have a value (when the field is on the record's layout)
 * @param unique         no two records of the module may share a value
 * @param defaultValue   applied on create when no value is given (already in stored form), or null
 * @param maxLength      for text kinds, the longest value; null means {@link FieldType#defaultMaxLength()}
 * @param decimalPlaces  for decimal kinds, the most digits after the point
 * @param min            for numeric kinds, the smallest allowed value, or null
 * @param max            for numeric kinds, the largest allowed value, or null
 * @param picklistValues for picklist and multi-select, the allowed values in their order
 * @param lookupModule   for lookups, the API name of the target module
 * @param system         maintained by Waymark (e.g. {@code Owner}, conversion links); cannot be deleted
 * @param readOnly       cannot be set through the records API
 * @param column         the storage column; opaque to the engine
 * @param position       order among the module's fields
 * @param deleted        hidden from the API; values kept
 */
public record Field(
        UUID id,
        String apiName,
        String label,
        FieldType type,
        boolean required,
        boolean unique,
        Object defaultValue,
        Integer maxLength,
        Integer decimalPlaces,
        BigDecimal min,
        BigDecimal max,
        List<String> picklistValues,
        String lookupModule,
        boolean system,
        boolean readOnly,
        String column,
        int position,
        boolean deleted) {

    public Field {
        picklistValues = picklistValues == null ? List.of() : List.copyOf(picklistValues);
    }

    public int effectiveMaxLength() {
        return maxLength == null ? type.defaultMaxLength() : maxLength;
    }

    public int effectiveDecimalPlaces() {
        if (decimalPlaces != null) {
            return decimalPlaces;
        }
        return type == FieldType.CURRENCY || type == FieldType.PERCENT ? 2 : 4;
    }

    /** The position of a picklist value in the field's order, or -1. */
    public int picklistIndex(String value) {
        return picklistValues.indexOf(value);
    }

    public Field withDeleted(boolean value) {
        return new Field(id, apiName, label, type, required, unique, defaultValue, maxLength, decimalPlaces, min, max,
                picklistValues, lookupModule, system, readOnly, column, position, value);
    }
}
