package io.waymark.record;

import io.waymark.criteria.CompiledCriteria;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Port: where records live. Every method is scoped to one organisation and joins the caller's
 * transaction. Writes check versions: an update or delete whose record no longer has the
 * expected version throws {@link StaleVersionException}; a value that breaks a unique field throws
 * {@link DuplicateValueException}.
 */
public interface RecordStore {
    default Optional<Record> find(UUID orgId, Module module, UUID id) {
        return find(orgId, module, id, Visibility.ALL);
    }

    /** The record if it exists and {@code visibility} lets its reader see it. */
    default Optional<Record> find(UUID orgId, Module module, UUID id, Visibility visibility) {
        List<Record> r = findAll(orgId, module, List.of(id), visibility);
        return r.isEmpty() ? Optional.empty() : Optional.of(r.get(0));
    }

    default List<Record> findAll(UUID orgId, Module module, Collection<UUID> ids) {
        return findAll(orgId, module, ids, Visibility.ALL);
    }

    /** Those of {@code ids} that exist and are visible. */
    List<Record> findAll(UUID orgId, Module module, Collection<UUID> ids, Visibility visibility);

    /** The subjects of those of {@code ids} that exist (so also an existence check). */
    default Map<UUID, String> subjects(UUID orgId, Module module, Collection<UUID> ids) {
        return subjects(orgId, module, ids, Visibility.ALL);
    }

    /** The subjects of those of {@code ids} that exist and are visible. */
    Map<UUID, String> subjects(UUID orgId, Module module, Collection<UUID> ids, Visibility visibility);

    /** For a unique field: which of {@code values} are held, and by which record. */
    Map<Object, UUID> holders(UUID orgId, Module module, Field field, Collection<Object> values);

    /** The display names (display fields joined by spaces) of those of {@code ids} that exist. */
    default Map<UUID, String> names(UUID orgId, Module module, Collection<UUID> ids) {
        return names(orgId, module, ids, Visibility.ALL);
    }

    /** The display names of those of {@code ids} that exist and are visible. */
    Map<UUID, String> names(UUID orgId, Module module, Collection<UUID> ids, Visibility visibility);

    void insert(UUID orgId, Module module, List<Record> records);

    /** Stores new versions; each record's {@code version - 1} must be the stored one. */
    void update(UUID orgId, Module module, List<Record> records);

    /** Removes records at their given versions, keeping a copy in the recycle bin. */
    void delete(UUID orgId, Module module, List<Record> records, UUID actor, Instant at);

    /** Whether a record of the module was deleted (so its timeline may still be read). */
    boolean wasDeleted(UUID orgId, Module module, UUID id);

    /**
     * One page of a list.
     *
     * @param criteria may be null (everything)
     * @param after    the cursor of the previous page, or null
     */
    default RecordPage list(UUID orgId, Module module, CompiledCriteria criteria, List<Sort> sort, int limit, String after,
                            Instant now, ZoneId zone) {
        return list(orgId, module, criteria, sort, limit, after, now, zone, Visibility.ALL);
    }

    /** One page of the visible records (the visibility is applied in the query, before paging). */
    RecordPage list(UUID orgId, Module module, CompiledCriteria criteria, List<Sort> sort, int limit, String after,
                    Instant now, ZoneId zone, Visibility visibility);

    default long count(UUID orgId, Module module, CompiledCriteria criteria, Instant now, ZoneId zone) {
        return count(orgId, module, criteria, now, zone, Visibility.ALL);
    }

    long count(UUID orgId, Module module, CompiledCriteria criteria, Instant now, ZoneId zone, Visibility visibility);

    /** Records of {@code module} whose lookup {@code field} points at {@code targetId}. */
    default RecordPage related(UUID orgId, Module module, Field field, UUID targetId, int limit, String after) {
        return related(orgId, module, field, targetId, limit, after, Visibility.ALL);
    }

    RecordPage related(UUID orgId, Module module, Field field, UUID targetId, int limit, String after, Visibility visibility);

    /** A sort key: a field (or system attribute) and a direction. Empty values sort last. */
    record Sort(Field field, boolean descending) {
    }

    /** A page of records and the cursor of the next one (null at the end). */
    record RecordPage(List<Record> records, String next) {
    }

    /** Thrown when a record changed (or vanished) since the version a write names. */
    final class StaleVersionException extends RuntimeException {
        private final UUID id;

        public StaleVersionException(UUID id) {
            super("Record " + id + " was changed by someone else");
            this.id = id;
        }

        public UUID id() {
            return id;
        }
    }

    /** Thrown when a write would repeat a unique field's value. */
    final class DuplicateValueException extends RuntimeException {
        private final String field;

        public DuplicateValueException(String field) {
            super("Duplicate value for unique field " + field);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }
}
