package io.waymark.tx;

import java.util.function.Supplier;

/**
 * Runs work in one database transaction. Every store call made on the same thread inside
 * {@code work} joins the transaction; nested calls join the outer one. If {@code work} throws,
 * nothing it wrote is kept. This is how a record change and its signal, or a consumer's new state
 * and its checkpoint, commit together.
 */
public interface Transactor {
    <T> T inTransaction(Supplier<T> work);

    /**
     * Runs {@code action} once the transaction of the calling thread has committed, and not at all
     * if it rolls back; outside a transaction, at once. For telling other threads about writes
     * they could not see before the commit (an outbox worker woken earlier finds nothing). The
     * same action registered twice in one transaction runs once.
     */
    default void afterCommit(Runnable action) {
        action.run();
    }

    default void run(Runnable work) {
        inTransaction(() -> {
            work.run();
            return null;
        });
    }
}
