package io.waymark.flow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Storage of screen-flow definitions (kiosks, wizards) and their runs. Definitions are versioned:
 * every save adds a version and never changes an older one; a run keeps the version it started on.
 * Every call is scoped to one organisation and one kind ({@code kiosk} or {@code wizard}).
 */
public interface FlowStore {
    /** One saved version of a definition. */
    record Definition(UUID id, String kind, String name, int version, boolean active, ObjectNode body,
                      Instant createdAt, UUID createdBy) {
    }

    /**
     * A run (kiosk session, wizard session or draft).
     *
     * @param state    the flow's own state: where the run is and what it collected
     * @param revision grows with each save; a save naming an older one is refused
     */
    record Run(UUID id, String kind, UUID definitionId, int version, UUID userId, String status, UUID recordId,
               ObjectNode state, Instant createdAt, Instant updatedAt, Instant expiresAt, long revision) {
    }

    void insertDefinition(UUID orgId, Definition definition);

    /** The newest version. */
    Optional<Definition> latest(UUID orgId, String kind, UUID id);

    Optional<Definition> version(UUID orgId, String kind, UUID id, int version);

    /** The newest version of each definition of the kind, by name. */
    List<Definition> list(UUID orgId, String kind);

    /** Every version of one definition, oldest first. */
    List<Definition> versions(UUID orgId, String kind, UUID id);

    /** Another definition of the kind already has this name. */
    boolean nameTaken(UUID orgId, String kind, String name, UUID except);

    void setActive(UUID orgId, String kind, UUID id, boolean active);

    void insertRun(UUID orgId, Run run);

    Optional<Run> run(UUID orgId, String kind, UUID id);

    /** Saves a run if nobody saved it since {@code run.revision() - 1}; false otherwise. */
    boolean updateRun(UUID orgId, Run run);

    /** A user's runs of a kind in a status (e.g. their wizard drafts), newest first. */
    List<Run> runs(UUID orgId, String kind, UUID userId, String status, int limit);

    /** Marks runs in {@code activeStatus} whose expiry passed as {@code expired}; answers how many. */
    int expire(String kind, String activeStatus, Instant now);
}
