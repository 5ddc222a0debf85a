package io.waymark.record;

import java.util.List;
import java.util.UUID;

/**
 * A way of presenting a module's records: named sections of fields. A module can have several
 * layouts and each record has exactly one. A field that is not on a record's layout cannot be
 * set on that record, and its required rule does not apply there.
 */
public record Layout(UUID id, String name, boolean isDefault, List<Section> sections) {
    public Layout {
        sections = List.copyOf(sections);
    }

    /** A titled group of field API names. */
    public record Section(String name, List<String> fields) {
        public Section {
            fields = List.copyOf(fields);
        }
    }

    public boolean contains(String fieldApiName) {
        for (Section s : sections) {
            if (s.fields().contains(fieldApiName)) {
                return true;
            }
        }
        return false;
    }
}
