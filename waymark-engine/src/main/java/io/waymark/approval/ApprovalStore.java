package io.waymark.approval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Port: approval processes and their requests. Joins the caller's transaction. */
public interface ApprovalStore {
    /** A process as saved: its validated definition, its place in the module's order, and a revision for optimistic locking. */
    record StoredProcess(UUID id, UUID orgId, String module, int position, boolean active, ObjectNode definition, long revision,
                         Instant createdAt, Instant modifiedAt) {
    }

    /**
     * One submission of a record for approval. {@code detail} holds the steps (their approvers and
     * answers) and the log; {@code revision} counts changes (two approvers answering at once).
     */
    record Request(UUID id, UUID orgId, UUID processId, String module, UUID recordId, String status, int step, UUID submitter,
                   ObjectNode detail, long revision, Instant createdAt, Instant modifiedAt) {
    }

    void insertProcess(StoredProcess p);

    boolean updateProcess(StoredProcess p, long expectedRevision);

    boolean deleteProcess(UUID orgId, UUID id);

    Optional<StoredProcess> process(UUID orgId, UUID id);

    /** Processes of an organisation (of one module when given), in order of position. */
    List<StoredProcess> processes(UUID orgId, String module);

    void insertRequest(Request r);

    boolean updateRequest(Request r, long expectedRevision);

    Optional<Request> request(UUID orgId, UUID id);

    /** The pending request of a record, if any (a record has at most one). */
    Optional<Request> pending(UUID orgId, UUID recordId);

    /** The pending requests of those of {@code recordIds} that have one, by record. */
    default Map<UUID, Request> pending(UUID orgId, java.util.Collection<UUID> recordIds) {
        Map<UUID, Request> out = new java.util.HashMap<>();
        for (UUID id : recordIds) {
            pending(orgId, id).ifPresent(r -> out.put(id, r));
        }
        return out;
    }

    /** A record's requests, newest first. */
    List<Request> requestsOf(UUID orgId, UUID recordId);

    /** The latest request of a record under a process, if any. */
    Optional<Request> latest(UUID orgId, UUID recordId, UUID processId);

    /** Pending requests of an organisation, oldest first (for My Jobs). */
    List<Request> pendingRequests(UUID orgId, int limit);
}
