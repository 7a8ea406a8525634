package io.harvester.infra;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.function.Consumer;
import java.util.logging.Logger;

import javax.sql.DataSource;

/**
 * The daemon's {@code dataSource}: hands out the pool's connections, and tells a watcher about each one a
 * watched thread takes. A job step's SQL runs on a connection camel-sql takes itself; watching is how the
 * job gets hold of it, to cancel the statement when the run is cancelled (a thread interrupt does not
 * stop a JDBC call waiting on its socket).
 */
public final class WatchedDataSource implements DataSource {

    private static final ThreadLocal<Consumer<Connection>> WATCHER = new ThreadLocal<>();

    private final DataSource pool;

    public WatchedDataSource(DataSource pool) {
        this.pool = pool;
    }

    /** Until the returned scope closes, every connection this thread takes is given to {@code watcher}. */
    public static Scope watch(Consumer<Connection> watcher) {
        Consumer<Connection> previous = WATCHER.get();
        WATCHER.set(watcher);
        return () -> {
            if (previous == null) {
                WATCHER.remove();
            } else {
                WATCHER.set(previous);
            }
        };
    }

    /** A watch that ends without throwing. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    @Override
    public Connection getConnection() throws SQLException {
        return watched(pool.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return watched(pool.getConnection(username, password));
    }

    private static Connection watched(Connection connection) {
        Consumer<Connection> watcher = WATCHER.get();
        if (watcher != null) {
            watcher.accept(connection);
        }
        return connection;
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
