package io.waymark.record;

import java.util.List;
import java.util.UUID;

/**
 * Port: where module metadata lives, together with the storage of each module's records. A
 * metadata change never drops stored values: a hidden field keeps its column.
 */
public interface MetadataStore {
    List<Module> modules(UUID orgId);

    /** Grows by one with each {@link #bumpVersion}; lets nodes notice metadata changed elsewhere. */
    long version(UUID orgId);

    void bumpVersion(UUID orgId);

    /** Stores a new module and creates its storage; returns it with storage and columns assigned. */
    Module createModule(UUID orgId, Module module);

    /** Stores module-level settings (labels, display fields, subject field). */
    void updateModule(UUID orgId, Module module);

    /** Adds a field and its storage column; returns it with its column assigned. */
    Field addField(UUID orgId, Module module, Field field);

    /**
     * Stores a changed field definition. Turning {@code unique} on fails with a
     * {@link io.waymark.error.ConflictException} when stored values already repeat.
     */
    void updateField(UUID orgId, Module module, Field before, Field after);

    /** Replaces a picklist value in every stored record (a renamed value). */
    void renameValue(UUID orgId, Module module, Field field, String from, String to);

    /** How many records hold {@code value} in a picklist or multi-select field. */
    long countWithValue(UUID orgId, Module module, Field field, String value);

    void saveLayout(UUID orgId, Module module, Layout layout);

    /** Removes a layout; its records move to {@code moveTo}. */
    void deleteLayout(UUID orgId, Module module, UUID layoutId, UUID moveTo);
}
