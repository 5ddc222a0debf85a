package io.waymark.record;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A kind of record (Leads, Contacts, a custom Trips …), defined by data: its fields and layouts.
 *
 * @param id             stable identity
 * @param apiName        the name in URLs, e.g. {@code Leads}
 * @param singularLabel  e.g. {@code Lead}
 * @param pluralLabel    e.g. {@code Leads}
 * @param standard       one of the modules every organisation starts with
 * @param displayFields  fields whose values, joined by spaces, name a record (e.g. first and last name)
 * @param subjectField   a lookup whose target's subject a record joins (a Deal joins its Contact's
 *                       history), or null: the record is a subject of its own
 * @param fields         every field, hidden ones included, in position order
 * @param layouts        at least one, exactly one of them the default
 * @param storage        where the store keeps the records; opaque to the engine
 */
public record Module(
        UUID id,
        String apiName,
        String singularLabel,
        String pluralLabel,
        boolean standard,
        List<String> displayFields,
        String subjectField,
        List<Field> fields,
        List<Layout> layouts,
        String storage) {

    public Module {
        displayFields = List.copyOf(displayFields);
        fields = List.copyOf(fields);
        layouts = List.copyOf(layouts);
    }

    /** A visible (not deleted) field by API name. */
    public Optional<Field> field(String apiName) {
        for (Field f : fields) {
            if (!f.deleted() && f.apiName().equals(apiName)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** Any field by API name, hidden ones included. */
    public Optional<Field> anyField(String apiName) {
        return fields.stream().filter(f -> f.apiName().equals(apiName)).findFirst();
    }

    public List<Field> visibleFields() {
        return fields.stream().filter(f -> !f.deleted()).toList();
    }

    public Map<String, Field> visibleFieldsByName() {
        Map<String, Field> map = new LinkedHashMap<>();
        for (Field f : fields) {
            if (!f.deleted()) {
                map.put(f.apiName(), f);
            }
        }
        return map;
    }

    public Layout defaultLayout() {
        return layouts.stream().filter(Layout::isDefault).findFirst().orElse(layouts.get(0));
    }

    /** A layout by name or id. */
    public Optional<Layout> layout(String nameOrId) {
        return layouts.stream()
                .filter(l -> l.name().equals(nameOrId) || l.id().toString().equals(nameOrId))
                .findFirst();
    }

    public Optional<Layout> layout(UUID id) {
        return layouts.stream().filter(l -> l.id().equals(id)).findFirst();
    }
}
