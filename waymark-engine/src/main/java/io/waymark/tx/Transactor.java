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

    default void run(Runnable work) {
        inTransaction(() -> {
            work.run();
            return null;
        });
    }
}
