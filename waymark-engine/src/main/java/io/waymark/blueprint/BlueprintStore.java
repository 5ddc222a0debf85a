package io.waymark.blueprint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Port: blueprints, their versions, where each record stands in one, and the history. Joins the caller's transaction. */
public interface BlueprintStore {
    /**
     * A blueprint: its current (newest) version of the flow, its place in the module's order and
     * whether it takes new records. {@code revision} counts every change (optimistic locking).
     */
    record StoredBlueprint(UUID id, UUID orgId, String module, String name, int position, boolean active, int currentVersion,
                           long revision, Instant createdAt, Instant modifiedAt) {
    }

    /** One version of a blueprint's flow as saved. */
    record StoredVersion(UUID blueprintId, int version, ObjectNode definition, Instant createdAt) {
    }

    /**
     * Where a record stands: in which blueprint and version, in which state since when, which
     * transitions of a parallel group are done, {@code entry}, which counts the record's entries
     * into states (a timer set for an earlier stay is stale), and {@code revision}, which counts
     * every change (optimistic locking: two users finishing transitions at once).
     */
    record RecordState(UUID orgId, UUID recordId, String module, UUID blueprintId, int version, String state, Instant enteredAt,
                       List<String> done, long entry, long revision) {
    }

    /** One line of a record's blueprint history. */
    record HistoryEntry(UUID id, UUID orgId, UUID recordId, UUID blueprintId, int version, String event, String transition,
                        String fromState, String toState, UUID actorId, ObjectNode detail, Instant occurredAt) {
    }

    record HistoryPage(List<HistoryEntry> entries, String next) {
    }

    void insert(StoredBlueprint blueprint, StoredVersion version);

    /** Replaces a blueprint if it is still at {@code expectedRevision} (adding {@code newVersion} when not null). */
    boolean update(StoredBlueprint blueprint, long expectedRevision, StoredVersion newVersion);

    /** Deletes a blueprint, its versions and the states of its records; its history stays. */
    boolean delete(UUID orgId, UUID id);

    Optional<StoredBlueprint> find(UUID orgId, UUID id);

    /** The blueprints of an organisation (of one module when given), in order of position. */
    List<StoredBlueprint> list(UUID orgId, String module);

    Optional<StoredVersion> version(UUID orgId, UUID blueprintId, int version);

    List<StoredVersion> versions(UUID orgId, UUID blueprintId);

    Optional<RecordState> state(UUID orgId, UUID recordId);

    /** The states of those of {@code recordIds} that are in a blueprint. */
    Map<UUID, RecordState> states(UUID orgId, Collection<UUID> recordIds);

    /** The records at one version of a blueprint, up to {@code limit}, in record id order after {@code afterRecord} (or from the start). */
    List<RecordState> statesAt(UUID orgId, UUID blueprintId, int version, UUID afterRecord, int limit);

    /** Records in flight per version of a blueprint. */
    Map<Integer, Long> inFlight(UUID orgId, UUID blueprintId);

    /** Records of an organisation in any blueprint, of one module or all, for the My Jobs view. */
    List<RecordState> statesOf(UUID orgId, String module, int limit);

    void insertState(RecordState state);

    /** Replaces a state if it is still at {@code expectedRevision}; returns false otherwise. */
    boolean updateState(RecordState state, long expectedRevision);

    void deleteState(UUID orgId, UUID recordId);

    void appendHistory(List<HistoryEntry> entries);

    /** A record's history, oldest first. */
    HistoryPage history(UUID orgId, UUID recordId, int limit, String cursor);
}
