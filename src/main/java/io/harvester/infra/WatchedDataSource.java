package io.harvester.infra;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

import javax.sql.DataSource;

import org.postgresql.PGConnection;

/**
 * The pool of {@code sql:} endpoints (job steps): hands out the pool's connections, and tells a watcher
 * about each one a watched thread takes and gives back. A step's SQL runs on a connection camel-sql takes
 * itself; watching is how its job gets hold of it, to cancel the statement when the run is cancelled (a
 * thread interrupt does not stop a JDBC call waiting on its socket).
 */
public final class WatchedDataSource implements DataSource {

    private static final ThreadLocal<Watcher> WATCHER = new ThreadLocal<>();

    private final DataSource pool;

    public WatchedDataSource(DataSource pool) {
        this.pool = pool;
    }

    /** Told about the connections a watched thread takes and gives back. */
    public interface Watcher {
        /** A connection was taken; throwing refuses it (it is closed and the caller gets the exception). */
        void taken(Held connection) throws SQLException;

        void released(Held connection);
    }

    /** A watch that ends without throwing. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * A connection a watched thread holds. Its statement can be cancelled only while it is held: closing
     * it and cancelling it exclude each other, so a cancel never reaches the statement of whoever borrows
     * the pooled connection next.
     */
    public static final class Held {
        private final Connection connection;
        private boolean closed;

        private Held(Connection connection) {
            this.connection = connection;
        }

        /** Cancels the statement running on it now, if it is still held. */
        public synchronized void cancel() throws SQLException {
            if (!closed) {
                connection.unwrap(PGConnection.class).cancelQuery();
            }
        }

        private void close() throws SQLException {
            synchronized (this) {
                closed = true;
            }
            // outside the lock: a close that hangs on a dead socket must not hang a cancel with it
            connection.close();
        }
    }

    /** Until the returned scope closes, every connection this thread takes is told to {@code watcher}. */
    public static Scope watch(Watcher watcher) {
        Watcher previous = WATCHER.get();
        WATCHER.set(watcher);
        return () -> {
            if (previous == null) {
                WATCHER.remove();
            } else {
                WATCHER.set(previous);
            }
        };
    }

    @Override
    public Connection getConnection() throws SQLException {
        return watched(pool.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return watched(pool.getConnection(username, password));
    }

    private static Connection watched(Connection connection) throws SQLException {
        Watcher watcher = WATCHER.get();
        if (watcher == null) {
            return connection;
        }
        Held held = new Held(connection);
        try {
            watcher.taken(held);
        } catch (SQLException | RuntimeException refused) {
            connection.close();
            throw refused;
        }
        return (Connection) Proxy.newProxyInstance(WatchedDataSource.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "equals":
                            return proxy == args[0];
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "toString":
                            return "watched " + connection;
                        default:
                            break;
                    }
                    if ("close".equals(method.getName()) && method.getParameterCount() == 0) {
                        try {
                            held.close();
                        } finally {
                            watcher.released(held);
                        }
                        return null;
                    }
                    try {
                        return method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : pool.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || pool.isWrapperFor(iface);
    }
}
