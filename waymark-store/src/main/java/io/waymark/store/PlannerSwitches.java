package io.waymark.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Runs one statement of a PostgreSQL transaction with some of the planner's choices switched off
 * ({@code SET LOCAL enable_… = off}), for a statement whose right plan does not depend on the
 * table's statistics but whose chosen plan did: a table filled moments before looks empty to
 * the planner until it is analysed again.
 *
 * <p>The switches are restored for the rest of the transaction only after the statement worked.
 * After a failure the transaction is aborted and takes them with it, and a further statement
 * would only replace the statement's own error (a repeated unique value, say, which must reach
 * the caller by name) with "current transaction is aborted". They are restored to the
 * session's default ({@code TO DEFAULT}), not to what they were before: no caller changes them
 * otherwise, and none nests, so the two are the same and the restore costs no extra query.
 */
final class PlannerSwitches {
    private PlannerSwitches() {
    }

    /** Runs {@code work} on {@code c} with each of {@code switches} (such as {@code enable_hashjoin}) off. */
    static <T> T without(Connection c, List<String> switches, JdbcTransactor.ConnectionWork<T> work) throws SQLException {
        StringBuilder off = new StringBuilder();
        StringBuilder back = new StringBuilder();
        for (String s : switches) {
            off.append("SET LOCAL ").append(s).append(" = off; ");
            back.append("SET LOCAL ").append(s).append(" TO DEFAULT; ");
        }
        try (Statement st = c.createStatement()) {
            st.execute(off.toString());
        }
        T result = work.run(c);
        try (Statement st = c.createStatement()) {
            st.execute(back.toString());
        }
        return result;
    }
}
