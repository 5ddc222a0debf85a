package io.waymark.record;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A stored record: its identity and system attributes, and its field values in stored form (see
 * {@link FieldValues}), keyed by field API name. Immutable.
 *
 * @param subject the customer (or thing) whose history this record's signals join: the record's
 *                own id, or the subject of the record that {@link Module#subjectField()} points to;
 *                a Contact converted from a Lead keeps the Lead's subject
 * @param version grows by one with every change; a write naming an older version is refused
 */
public record Record(
        UUID id,
        String module,
        UUID layoutId,
        String subject,
        long version,
        Instant createdAt,
        UUID createdBy,
        Instant modifiedAt,
        UUID modifiedBy,
        Map<String, Object> values) {

    public Record {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** A field value or a system attribute ({@link SystemFields}) by name; null when empty. */
    public Object value(String name) {
        return switch (name) {
            case SystemFields.ID -> id;
            case SystemFields.CREATED_AT -> createdAt;
            case SystemFields.MODIFIED_AT -> modifiedAt;
            case SystemFields.CREATED_BY -> createdBy;
            case SystemFields.MODIFIED_BY -> modifiedBy;
            default -> values.get(name);
        };
    }

    public UUID owner() {
        return (UUID) values.get("Owner");
    }
}
