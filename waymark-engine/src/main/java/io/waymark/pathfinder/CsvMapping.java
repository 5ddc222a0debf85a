package io.waymark.pathfinder;

import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which columns of a CSV log (named by the header row) hold what.
 *
 * @param caseColumn      the case (customer) id — required
 * @param activityColumn  the activity (touchpoint) — required
 * @param timestampColumn the time of the event, ISO-8601 with or without an offset (UTC if none)
 *                        — required
 * @param lifecycleColumn a life-cycle transition (start, complete …) for the name+lifecycle
 *                        classifier, or null
 * @param delimiter       the field separator, {@code ,} by default ({@code ;} and tab are common)
 */
public record CsvMapping(String caseColumn, String activityColumn, String timestampColumn, String lifecycleColumn, char delimiter) {

    /** The usual mapping with a comma separator and no life-cycle column. */
    public static CsvMapping of(String caseColumn, String activityColumn, String timestampColumn) {
        return new CsvMapping(caseColumn, activityColumn, timestampColumn, null, ',');
    }

    /** Checks that the required columns are named; {@code prefix} leads each field name in errors. */
    public CsvMapping validated(String prefix) {
        List<FieldError> errors = new ArrayList<>();
        if (blank(caseColumn)) {
            errors.add(new FieldError(prefix + "case", "is required: the column that holds the case id"));
        }
        if (blank(activityColumn)) {
            errors.add(new FieldError(prefix + "activity", "is required: the column that holds the activity"));
        }
        if (blank(timestampColumn)) {
            errors.add(new FieldError(prefix + "timestamp", "is required: the column that holds the time"));
        }
        if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
            errors.add(new FieldError(prefix + "delimiter", "cannot be a quote or a line break"));
        }
        if (!errors.isEmpty()) {
            throw new ValidationException("The CSV column mapping is incomplete", errors);
        }
        return this;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
