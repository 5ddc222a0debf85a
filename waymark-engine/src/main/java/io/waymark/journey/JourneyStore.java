package io.waymark.journey;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Port: where journeys, their versions, instances and paths are kept. Every method joins the
 * caller's transaction. The runner's methods take and return whole batches, so that one
 * dispatcher batch costs a handful of statements whatever its size.
 */
public interface JourneyStore {

    /** A journey: its draft definition and life-cycle status. */
    record StoredJourney(UUID id, UUID orgId, String name, String status, ObjectNode draft, int latest, long revision,
                         Instant createdAt, Instant modifiedAt) {
    }

    /** An immutable published version. */
    record StoredVersion(UUID journeyId, int version, UUID orgId, ObjectNode definition, Instant publishedAt, UUID publishedBy) {
    }

    /**
     * One customer's run through one version of a journey.
     *
     * @param status  {@code active}, {@code succeeded}, {@code failed} (an end state of that kind) or {@code ended} by an admin
     * @param module  the module of the record the instance acts on now (moves with conversions and transitions)
     * @param visit   how many steps it has taken; timers of the current state carry it
     */
    record Instance(UUID id, UUID orgId, UUID journeyId, int version, String subject, String state, String status, String module,
                    UUID recordId, int visit, Instant enteredAt, Instant startedAt, Instant endedAt) {
        public boolean active() {
            return "active".equals(status);
        }
    }

    /**
     * One line of an instance's path.
     *
     * @param n      its position, from 1
     * @param kind   entered, transition, timeout, deadline, automatic, manual, migrated, ended or followed
     * @param via    the transition's key, when one moved it
     * @param detail the actions it enqueued ({@code actions: [{key, type, outbox_entry}]}), an admin's reason …
     */
    record Step(UUID instanceId, int n, UUID orgId, UUID journeyId, int version, String kind, String fromState, String toState,
                String via, UUID signalId, String signalType, UUID actorId, Instant at, ObjectNode detail) {
    }

    /** How often one action of one version ran and how it went. */
    record ActionStats(UUID journeyId, int version, String actionKey, String actionType, long runs, long succeeded, long failed) {
    }

    void insertJourney(StoredJourney j);

    /** Writes a journey if its revision is still {@code expectedRevision}; returns whether it did. */
    boolean updateJourney(StoredJourney j, long expectedRevision);

    boolean deleteJourney(UUID orgId, UUID id);

    Optional<StoredJourney> findJourney(UUID orgId, UUID id);

    List<StoredJourney> journeys(UUID orgId);

    /** Journeys of every status with at least one published version: what the runner must know. */
    List<StoredJourney> published(UUID orgId);

    void insertVersion(StoredVersion v);

    Optional<StoredVersion> findVersion(UUID orgId, UUID journeyId, int version);

    List<StoredVersion> versions(UUID orgId, UUID journeyId);

    /** Every instance (any status) of the given subjects. */
    List<Instance> instancesOf(UUID orgId, Collection<String> subjects);

    Optional<Instance> findInstance(UUID orgId, UUID id);

    /** A changed instance, written only if it still has taken {@code expectedVisit} steps. */
    record InstanceUpdate(Instance instance, int expectedVisit) {
    }

    /**
     * Inserts new instances and overwrites changed ones; throws
     * {@link io.waymark.error.ConflictException} (and the caller's transaction must roll back) when
     * an instance moved meanwhile.
     */
    void saveInstances(List<Instance> inserted, List<InstanceUpdate> updated);

    void insertSteps(List<Step> steps);

    /**
     * {@link #saveInstances} then {@link #insertSteps}, which a store may do in one round trip
     * (the dispatcher writes both in every pass that moves an instance). The same conflict rule:
     * a {@link io.waymark.error.ConflictException}, after which the caller's transaction must roll
     * back, when an updated instance moved meanwhile.
     */
    default void saveInstancesAndSteps(List<Instance> inserted, List<InstanceUpdate> updated, List<Step> steps) {
        saveInstances(inserted, updated);
        insertSteps(steps);
    }

    List<Step> steps(UUID orgId, UUID instanceId);

    /** A page of a journey's instances, filtered by any of version, state, status; ordered by id. */
    List<Instance> instances(UUID orgId, UUID journeyId, Integer version, String state, String status, UUID after, int limit);

    /** Active instances of a journey per version and state: {@code version -> state -> count}. */
    java.util.Map<Integer, java.util.Map<String, Long>> activeCounts(UUID orgId, UUID journeyId);

    /** Instances of a journey per status: {@code status -> count}. */
    java.util.Map<String, Long> statusCounts(UUID orgId, UUID journeyId);

    /** Streams a journey's steps, instance by instance, each instance's in order. */
    void forEachStep(UUID orgId, UUID journeyId, Integer version, Consumer<Step> sink);

    /** Adds to the counters of actions (creating them at zero). */
    void addActionStats(List<ActionStats> deltas);

    List<ActionStats> actionStats(UUID orgId, UUID journeyId);
}
