package io.waymark.store;

import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import io.waymark.tx.Transactor;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Binds one JDBC transaction to the calling thread, so that every store call inside
 * {@link #inTransaction} uses it. Outside a transaction each store call runs on its own.
 */
final class JdbcTransactor implements Transactor {
    private final Jdbi jdbi;
    private final javax.sql.DataSource dataSource;
    private final ThreadLocal<Handle> current = new ThreadLocal<>();
    /** What to run once the thread's transaction has committed. */
    private final ThreadLocal<java.util.List<Runnable>> committed = new ThreadLocal<>();

    JdbcTransactor(Jdbi jdbi, javax.sql.DataSource dataSource) {
        this.jdbi = jdbi;
        this.dataSource = dataSource;
    }

    /** JDBC work on a connection. */
    interface ConnectionWork<T> {
        T run(java.sql.Connection c) throws java.sql.SQLException;
    }

    /**
     * Runs plain JDBC work on the thread's transaction, or on a pooled connection of its own:
     * the read path of every request, where opening a Jdbi handle costs more than the query.
     */
    <T> T connection(ConnectionWork<T> work) throws java.sql.SQLException {
        Handle h = current.get();
        if (h != null) {
            return work.run(h.getConnection());
        }
        try (java.sql.Connection c = dataSource.getConnection()) {
            return work.run(c);
        }
    }

    /** {@link #connection} with a database error turned into an unchecked one, for the stores' ports. */
    <T> T jdbc(ConnectionWork<T> work) {
        try {
            return connection(work);
        } catch (java.sql.SQLException e) {
            ValidationException bad = unstorableText(e);
            throw bad != null ? bad : new IllegalStateException("Database error: " + e.getMessage(), e);
        }
    }

    /**
     * Text that PostgreSQL cannot store (a NUL character, U+0000, in text or in {@code jsonb}:
     * SQLSTATE 22021 or 22P05) is bad input, not a fault of the database: wherever it slipped past
     * the checks of the API and the engine (a definition saved through the engine's Java API, say),
     * the caller gets a {@link ValidationException} (400 over HTTP), and the transaction has rolled
     * back. Null for any other error. H2 stores such text, so this only ever fires on PostgreSQL.
     */
    static ValidationException unstorableText(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLException sql && ("22021".equals(sql.getSQLState()) || "22P05".equals(sql.getSQLState()))) {
                return new ValidationException("The text holds a character the database cannot store",
                        java.util.List.of(new FieldError("body", Json.NUL_MESSAGE)));
            }
        }
        return null;
    }

    /** {@code e}, or the {@link ValidationException} it stands for if it is {@link #unstorableText}. */
    private static RuntimeException translated(RuntimeException e) {
        ValidationException bad = unstorableText(e);
        return bad != null ? bad : e;
    }

    /** Maps one result row. */
    interface Rows<T> {
        T map(java.sql.ResultSet rs) throws java.sql.SQLException;
    }

    /** Runs an update with positional parameters (bound by {@link Columns#bind}); answers the rows changed. */
    int exec(String sql, Object... params) {
        return jdbc(c -> {
            try (java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    Columns.bind(ps, i + 1, params[i]);
                }
                return ps.executeUpdate();
            }
        });
    }

    /** Runs a query with positional parameters and maps every row. */
    <T> java.util.List<T> query(String sql, Rows<T> rows, Object... params) {
        return jdbc(c -> {
            java.util.List<T> out = new java.util.ArrayList<>();
            try (java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    Columns.bind(ps, i + 1, params[i]);
                }
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rows.map(rs));
                    }
                }
            }
            return out;
        });
    }

    /** The connection of the thread's transaction, or null outside one. */
    java.sql.Connection currentConnection() {
        Handle h = current.get();
        return h == null ? null : h.getConnection();
    }

    @Override
    public <T> T inTransaction(Supplier<T> work) {
        if (current.get() != null) {
            return work.get();
        }
        java.util.List<Runnable> after = new java.util.ArrayList<>();
        T out;
        try (Handle handle = jdbi.open()) {
            current.set(handle);
            committed.set(after);
            // READ COMMITTED is the default of both databases (and the pool's); naming the level
            // here would cost two extra round trips per transaction to read and restore it.
            out = handle.inTransaction(h -> work.get());
        } catch (RuntimeException e) {
            throw translated(e);
        } finally {
            current.remove();
            committed.remove();
        }
        after.forEach(Runnable::run);
        return out;
    }

    @Override
    public void afterCommit(Runnable action) {
        java.util.List<Runnable> after = committed.get();
        if (after == null) {
            action.run();
        } else if (!after.contains(action)) {
            after.add(action);
        }
    }

    /** Runs {@code f} on the thread's transaction, or on a connection of its own. */
    <T> T with(Function<Handle, T> f) {
        Handle h = current.get();
        if (h != null) {
            return f.apply(h);
        }
        try (Handle handle = jdbi.open()) {
            return f.apply(handle);
        } catch (RuntimeException e) {
            throw translated(e);
        }
    }
}
