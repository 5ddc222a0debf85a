package io.waymark.record;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The attributes every record has besides its fields: usable in criteria and sorting by these
 * lower-case names, and shown at the top level of a record's JSON.
 */
public final class SystemFields {
    public static final String ID = "id";
    public static final String CREATED_AT = "created_at";
    public static final String MODIFIED_AT = "modified_at";
    public static final String CREATED_BY = "created_by";
    public static final String MODIFIED_BY = "modified_by";

    private static final List<Field> ALL = List.of(
            synthetic(ID, FieldType.LOOKUP),
            synthetic(CREATED_AT, FieldType.DATETIME),
            synthetic(MODIFIED_AT, FieldType.DATETIME),
            synthetic(CREATED_BY, FieldType.OWNER),
            synthetic(MODIFIED_BY, FieldType.OWNER));

    private SystemFields() {
    }

    private static Field synthetic(String name, FieldType type) {
        return new Field(UUID.nameUUIDFromBytes(name.getBytes()), name, name, type, false, false, null, null, null,
                null, null, List.of(), null, true, true, name, -1, false);
    }

    public static Optional<Field> find(String name) {
        return ALL.stream().filter(f -> f.apiName().equals(name)).findFirst();
    }

    public static boolean isSystem(Field f) {
        return ALL.stream().anyMatch(s -> s.apiName().equals(f.apiName()) && s.column().equals(f.column()));
    }

    /** A field of the module or a system attribute, by name. */
    public static Optional<Field> resolve(Module module, String name) {
        Optional<Field> f = module.field(name);
        return f.isPresent() ? f : find(name);
    }
}
