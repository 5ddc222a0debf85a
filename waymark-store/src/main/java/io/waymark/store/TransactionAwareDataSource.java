package io.waymark.store;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Set;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source whose connections join the calling thread's transaction when there is one: how
 * db-scheduler's client writes a timer in the same transaction as the decision that set it. The
 * joined connection ignores close, commit and rollback; the transaction's owner decides those.
 */
final class TransactionAwareDataSource implements DataSource {
    private static final Set<String> IGNORED = Set.of("close", "commit", "rollback", "setAutoCommit");
    private final DataSource target;
    private final JdbcTransactor tx;

    TransactionAwareDataSource(DataSource target, JdbcTransactor tx) {
        this.target = target;
        this.tx = tx;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection joined = tx.currentConnection();
        if (joined == null) {
            return target.getConnection();
        }
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (p, m, args) -> {
            if (IGNORED.contains(m.getName())) {
                return null;
            }
            if (m.getName().equals("isClosed")) {
                return joined.isClosed();
            }
            try {
                return m.invoke(joined, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return target.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        target.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        target.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return target.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return target.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return target.isWrapperFor(iface);
    }
}
