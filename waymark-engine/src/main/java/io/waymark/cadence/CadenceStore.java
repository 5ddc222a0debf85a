package io.waymark.cadence;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Port: where cadences, their published versions and enrollments are kept. Every method joins the
 * caller's transaction.
 */
public interface CadenceStore {

    /**
     * A cadence: its editable draft and the number of its latest published version (0 = none).
     *
     * @param paused the whole cadence is paused: its enrollments wait and it takes no new ones
     */
    record StoredCadence(UUID id, UUID orgId, String name, String module, ObjectNode draft, int latest, long revision,
                         Instant createdAt, Instant modifiedAt, boolean paused) {
    }

    /** An immutable published version. */
    record StoredVersion(UUID cadenceId, int version, UUID orgId, ObjectNode definition, Instant publishedAt) {
    }

    /**
     * One record's run through one version of a cadence.
     *
     * @param status   {@code active}, {@code paused} or {@code ended}
     * @param reason   why it ended: goal_reached, replied, exhausted, bounced, unsubscribed, removed
     * @param state    progress: the next follow-up, the anchor time, each follow-up's outcome and the timeline
     * @param revision bumped by every write; updates are guarded by it
     */
    record Enrollment(UUID id, UUID orgId, UUID cadenceId, int version, String module, UUID recordId, String subject, String status,
                      String reason, ObjectNode state, long revision, Instant enrolledAt, Instant endedAt) {
        public boolean live() {
            return !"ended".equals(status);
        }
    }

    void insertCadence(StoredCadence c);

    /** Writes a cadence if its revision is still {@code expectedRevision}; returns whether it did. */
    boolean updateCadence(StoredCadence c, long expectedRevision);

    Optional<StoredCadence> findCadence(UUID orgId, UUID id);

    List<StoredCadence> cadences(UUID orgId);

    /** Published cadences of an organisation (latest version at least 1), paused ones too. */
    List<StoredCadence> published(UUID orgId);

    /** Sets whether a whole cadence is paused; returns whether it changed. */
    boolean setPaused(UUID orgId, UUID cadenceId, boolean paused);

    void insertVersion(StoredVersion v);

    Optional<StoredVersion> findVersion(UUID orgId, UUID cadenceId, int version);

    /**
     * Inserts an enrollment; returns false (and inserts nothing) when the record already has a live
     * enrollment in that cadence.
     */
    boolean insertEnrollment(Enrollment e);

    /** Overwrites an enrollment (its version, status, state …) if its revision is still {@code expectedRevision}; returns whether it did. */
    boolean updateEnrollment(Enrollment e, long expectedRevision);

    /**
     * Inserts enrollments at once. The caller has checked that none of their records has a live
     * enrollment in that cadence (in this transaction); the store still refuses, with an
     * exception, a second live enrollment that raced in.
     */
    default void insertEnrollments(List<Enrollment> enrollments) {
        for (Enrollment e : enrollments) {
            if (!insertEnrollment(e)) {
                throw new io.waymark.error.ConflictException("Record " + e.recordId() + " was enrolled in cadence " + e.cadenceId() + " meanwhile");
            }
        }
    }

    /**
     * Overwrites enrollments at once, each if its revision is still the matching one of
     * {@code expectedRevisions}; returns the ids of those that changed meanwhile (not written).
     */
    default List<UUID> updateEnrollments(List<Enrollment> enrollments, List<Long> expectedRevisions) {
        List<UUID> stale = new java.util.ArrayList<>();
        for (int i = 0; i < enrollments.size(); i++) {
            if (!updateEnrollment(enrollments.get(i), expectedRevisions.get(i))) {
                stale.add(enrollments.get(i).id());
            }
        }
        return stale;
    }

    /**
     * All enrollments (live and ended) of these records in one cadence, per record id; each list
     * has the live one first, then the ended ones by latest end.
     */
    default Map<UUID, List<Enrollment>> enrollmentsOf(UUID orgId, UUID cadenceId, java.util.Collection<UUID> recordIds) {
        Map<UUID, List<Enrollment>> out = new java.util.HashMap<>();
        for (UUID r : new java.util.LinkedHashSet<>(recordIds)) {
            List<Enrollment> all = new java.util.ArrayList<>();
            liveEnrollment(orgId, cadenceId, r).ifPresent(all::add);
            all.addAll(endedEnrollments(orgId, cadenceId, r));
            if (!all.isEmpty()) {
                out.put(r, all);
            }
        }
        return out;
    }

    /** The enrollments (any status) with these ids, in no particular order. */
    default List<Enrollment> enrollmentsById(UUID orgId, java.util.Collection<UUID> ids) {
        List<Enrollment> out = new java.util.ArrayList<>();
        for (UUID id : new java.util.LinkedHashSet<>(ids)) {
            findEnrollment(orgId, id).ifPresent(out::add);
        }
        return out;
    }

    /** The live enrollments of each of {@code subjects} that has any, in any cadence, ordered by id. */
    default Map<String, List<Enrollment>> liveEnrollmentsOf(UUID orgId, java.util.Collection<String> subjects) {
        Map<String, List<Enrollment>> out = new java.util.HashMap<>();
        for (String s : new java.util.LinkedHashSet<>(subjects)) {
            List<Enrollment> live = liveEnrollments(orgId, s);
            if (!live.isEmpty()) {
                out.put(s, live);
            }
        }
        return out;
    }

    Optional<Enrollment> findEnrollment(UUID orgId, UUID id);

    /** The live enrollment of one record in one cadence, if any. */
    Optional<Enrollment> liveEnrollment(UUID orgId, UUID cadenceId, UUID recordId);

    /** The ended enrollments of one record in one cadence, the latest end first. */
    List<Enrollment> endedEnrollments(UUID orgId, UUID cadenceId, UUID recordId);

    /**
     * Counts one cadence email of {@code sender} on {@code day} if fewer than {@code limit} were
     * counted that day; returns whether it did (false: the limit is reached).
     */
    boolean countSend(UUID orgId, UUID sender, java.time.LocalDate day, int limit);

    /** Live (active or paused) enrollments of a subject, in any cadence. */
    List<Enrollment> liveEnrollments(UUID orgId, String subject);

    /** A page of a cadence's enrollments, optionally of one status, ordered by id. */
    List<Enrollment> enrollments(UUID orgId, UUID cadenceId, String status, UUID after, int limit);

    /** Enrollments of a cadence per status and reason: {@code "active"}, {@code "ended:goal_reached"} … to count. */
    Map<String, Long> counts(UUID orgId, UUID cadenceId);
}
