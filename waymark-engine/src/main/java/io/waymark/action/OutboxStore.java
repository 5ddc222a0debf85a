package io.waymark.action;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Port: where outbox entries are kept. Every method joins the caller's transaction
 * ({@link io.waymark.tx.Transactor}); the claim methods lock rows so that several workers, on one
 * node or several, never take the same entry at once (others skip it).
 */
public interface OutboxStore {
    void insert(List<OutboxEntry> entries);

    /**
     * Locks up to {@code limit} pending transactional entries due at {@code now}, for the current
     * transaction, oldest due first and, among equals, in the order they were inserted.
     */
    List<OutboxEntry> lockDueTransactional(Instant now, int limit);

    /**
     * {@link #lockDueTransactional} for worker {@code shard} of {@code shards}: only the entries
     * whose {@linkplain #shardOf shard} modulo {@code shards} is {@code shard}, so that a record's
     * entries always go to the same worker of a node. The default ignores the split.
     */
    default List<OutboxEntry> lockDueTransactional(Instant now, int limit, int shard, int shards) {
        return lockDueTransactional(now, limit);
    }

    /**
     * The shard of an entry: the signal-log partition of its subject (of its record when it has no
     * subject). So the workers of a node append their result signals to disjoint partitions and
     * do not wait on each other's partition locks; a record's entries share its subject's shard.
     */
    static int shardOf(OutboxEntry e) {
        return io.waymark.signal.SignalLog.partitionOf(e.orgId(), Outbox.subject(e));
    }

    /**
     * Takes up to {@code limit} non-transactional entries that are due (or running with a lapsed
     * lease, after a crash): marks them running until {@code leaseUntil} and counts the attempt.
     * Returns them as they now are.
     */
    List<OutboxEntry> leaseDueExternal(Instant now, Instant leaseUntil, int limit);

    /** Locks one entry for the current transaction. */
    Optional<OutboxEntry> lock(UUID orgId, UUID id);

    /**
     * {@link #lock}, but empty (nothing locked that matters) while an earlier pending
     * transactional entry of the same record must run first, as {@link #lockDueTransactional}
     * leaves such entries. The default does not check.
     */
    default Optional<OutboxEntry> lockInRecordOrder(UUID orgId, UUID id) {
        return lock(orgId, id);
    }

    /** A new state for an entry. */
    record Outcome(UUID id, OutboxEntry.Status status, int attempts, Instant nextAttemptAt, String lastError, ObjectNode result) {
    }

    /** Writes new states, all at once. */
    void complete(List<Outcome> outcomes, Instant now);

    Optional<OutboxEntry> find(UUID orgId, UUID id);

    /** A page of entries, newest first. */
    OutboxPage list(UUID orgId, OutboxQuery query);

    /** How many entries of every organisation are in a status (for health and benchmarks). */
    long count(OutboxEntry.Status status);

    /** One page of entries and the cursor of the next one (null at the end). */
    record OutboxPage(List<OutboxEntry> entries, String next) {
    }

    /**
     * A read of the outbox; every filter may be null.
     *
     * @param source e.g. {@code workflow_rule:<id>}
     */
    record OutboxQuery(OutboxEntry.Status status, String source, UUID recordId, int limit, String cursor) {
    }
}
