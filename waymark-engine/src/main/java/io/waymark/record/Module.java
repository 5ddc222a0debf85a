package io.waymark.record;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A kind of record (Leads, Contacts, a custom Trips …), defined by data: its fields and layouts.
 * Immutable.
 *
 * <p>Constructor arguments: {@code id} stable identity; {@code apiName} the name in URLs, e.g.
 * {@code Leads}; {@code standard} one of the modules every organisation starts with;
 * {@code displayFields} fields whose values, joined by spaces, name a record; {@code subjectField}
 * a lookup whose target's subject a record joins (a Deal joins its Contact's history), or null for
 * a record that is a subject of its own; {@code fields} every field, hidden ones included, in
 * position order; {@code layouts} at least one, exactly one of them the default; {@code storage}
 * where the store keeps the records (opaque to the engine).
 */
public final class Module {
    private final UUID id;
    private final String apiName;
    private final String singularLabel;
    private final String pluralLabel;
    private final boolean standard;
    private final List<String> displayFields;
    private final String subjectField;
    private final List<Field> fields;
    private final List<Layout> layouts;
    private final String storage;
    // Derived once: record writes consult these for every record of a batch.
    private final List<Field> visible;
    private final Map<String, Field> visibleByName;

    public Module(UUID id, String apiName, String singularLabel, String pluralLabel, boolean standard, List<String> displayFields,
                  String subjectField, List<Field> fields, List<Layout> layouts, String storage) {
        this.id = id;
        this.apiName = apiName;
        this.singularLabel = singularLabel;
        this.pluralLabel = pluralLabel;
        this.standard = standard;
        this.displayFields = List.copyOf(displayFields);
        this.subjectField = subjectField;
        this.fields = List.copyOf(fields);
        this.layouts = List.copyOf(layouts);
        this.storage = storage;
        this.visible = this.fields.stream().filter(f -> !f.deleted()).toList();
        Map<String, Field> byName = new LinkedHashMap<>();
        visible.forEach(f -> byName.put(f.apiName(), f));
        this.visibleByName = java.util.Collections.unmodifiableMap(byName);
    }

    public UUID id() {
        return id;
    }

    public String apiName() {
        return apiName;
    }

    public String singularLabel() {
        return singularLabel;
    }

    public String pluralLabel() {
        return pluralLabel;
    }

    public boolean standard() {
        return standard;
    }

    public List<String> displayFields() {
        return displayFields;
    }

    public String subjectField() {
        return subjectField;
    }

    /** Every field, hidden ones included, in position order. */
    public List<Field> fields() {
        return fields;
    }

    public List<Layout> layouts() {
        return layouts;
    }

    /** Where the store keeps the records; opaque to the engine. */
    public String storage() {
        return storage;
    }

    /** A visible (not deleted) field by API name. */
    public Optional<Field> field(String apiName) {
        return Optional.ofNullable(visibleByName.get(apiName));
    }

    /** Any field by API name, hidden ones included. */
    public Optional<Field> anyField(String apiName) {
        return fields.stream().filter(f -> f.apiName().equals(apiName)).findFirst();
    }

    public List<Field> visibleFields() {
        return visible;
    }

    public Map<String, Field> visibleFieldsByName() {
        return visibleByName;
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
