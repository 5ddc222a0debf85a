package io.waymark.workflow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Port: where workflow rules and their execution history are kept. Joins the caller's transaction. */
public interface WorkflowStore {
    /** A stored rule: its definition as saved (validated) plus identity and life-cycle data. */
    record StoredRule(UUID id, UUID orgId, String module, boolean active, ObjectNode definition, long version,
                      Instant createdAt, Instant modifiedAt) {
    }

    void insert(StoredRule rule);

    /** Replaces a rule if it is still at {@code expectedVersion}; returns false otherwise. */
    boolean update(StoredRule rule, long expectedVersion);

    boolean delete(UUID orgId, UUID id);

    Optional<StoredRule> find(UUID orgId, UUID id);

    /** Every rule of an organisation (of one module when {@code module} is given), oldest first. */
    List<StoredRule> list(UUID orgId, String module);

    /** The active rules of a module, oldest first: the order in which they are evaluated. */
    List<StoredRule> active(UUID orgId, String module);

    /** One line of a rule's execution history. */
    record HistoryEntry(UUID id, UUID orgId, UUID ruleId, String module, UUID recordId, UUID signalId, String event,
                        String branch, ObjectNode detail, Instant occurredAt) {
    }

    void appendHistory(List<HistoryEntry> entries);

    /** A rule's history, newest first; {@code recordId} may be null. */
    HistoryPage history(UUID orgId, UUID ruleId, UUID recordId, int limit, String cursor);

    record HistoryPage(List<HistoryEntry> entries, String next) {
    }
}
