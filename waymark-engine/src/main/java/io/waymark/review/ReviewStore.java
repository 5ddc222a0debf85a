package io.waymark.review;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Port: review processes and the reviews of records. Joins the caller's transaction. */
public interface ReviewStore {
    /** A process as saved: its validated definition, its place in the module's order, and a revision for optimistic locking. */
    record StoredProcess(UUID id, UUID orgId, String module, int position, boolean active, ObjectNode definition, long revision,
                         Instant createdAt, Instant modifiedAt) {
    }

    /**
     * The review of one record (a record is reviewed at most once; a resubmission is a new round of
     * the same review). {@code status}: {@code pending}, {@code rejected} (waiting for the
     * submitter's correction), {@code accepted}, or {@code withdrawn} (the record was deleted).
     * {@code detail} holds the reviewers, the fields under review and the log.
     */
    record Review(UUID id, UUID orgId, UUID processId, String module, UUID recordId, String status, UUID submitter, String source,
                  ObjectNode detail, long revision, Instant createdAt, Instant modifiedAt) {
    }

    void insertProcess(StoredProcess p);

    boolean updateProcess(StoredProcess p, long expectedRevision);

    boolean deleteProcess(UUID orgId, UUID id);

    Optional<StoredProcess> process(UUID orgId, UUID id);

    /** Processes of an organisation (of one module when given), in order of position. */
    List<StoredProcess> processes(UUID orgId, String module);

    void insertReviews(List<Review> reviews);

    boolean updateReview(Review r, long expectedRevision);

    Optional<Review> review(UUID orgId, UUID id);

    /** The review of a record, if it was ever held. */
    Optional<Review> ofRecord(UUID orgId, UUID recordId);

    /** Which of these records are held now: their review is pending or rejected. */
    Set<UUID> held(UUID orgId, Collection<UUID> recordIds);

    /** Reviews with a status (of one module when given), oldest first. */
    List<Review> withStatus(UUID orgId, String status, String module, int limit);

    /** Whether a process has reviews still holding records. */
    boolean holding(UUID orgId, UUID processId);
}
