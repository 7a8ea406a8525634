package io.harvester.observe;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

import javax.sql.DataSource;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.commons.dbcp2.BasicDataSource;
import org.redisson.api.RedissonClient;

/**
 * UP when PostgreSQL or Redis answers a trivial request within the timeout, DOWN naming the server and
 * why otherwise. The daemon cannot run a pipeline without either, so either one down makes the whole
 * /observe/health DOWN (503).
 */
final class StorageHealthCheck extends AbstractHealthCheck {

    private final String server;
    private final long timeoutMs;
    private final BoundedCall<String> probe;

    private StorageHealthCheck(String id, String server, long timeoutMs, Callable<String> probe) {
        super("harvester", id);
        this.server = server;
        this.timeoutMs = timeoutMs;
        this.probe = new BoundedCall<>(server, probe);
    }

    /**
     * {@code SELECT 1} through the pool's validation ({@code Connection.isValid}). When every pooled
     * connection is lent out, waiting for one would fail the check of an instance that is merely busy:
     * a connection of its own, with timeouts as short as the check's, asks PostgreSQL instead.
     */
    static StorageHealthCheck database(DataSource dataSource, long timeoutMs) {
        int seconds = (int) Math.max(1, timeoutMs / 1000);
        return new StorageHealthCheck("database", "PostgreSQL", timeoutMs, () -> {
            boolean exhausted = dataSource instanceof BasicDataSource pool && pool.getMaxTotal() > 0
                    && pool.getNumIdle() == 0 && pool.getNumActive() >= pool.getMaxTotal();
            try (Connection connection = exhausted ? direct((BasicDataSource) dataSource, seconds) : dataSource.getConnection()) {
                if (!connection.isValid(seconds)) {
                    throw new IllegalStateException("the connection is not valid");
                }
            }
            return exhausted ? "PostgreSQL answers (busy: all pooled connections in use)" : "PostgreSQL answers";
        });
    }

    private static Connection direct(BasicDataSource pool, int seconds) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", pool.getUsername() == null ? "" : pool.getUsername());
        properties.setProperty("password", pool.getPassword() == null ? "" : pool.getPassword());
        properties.setProperty("connectTimeout", String.valueOf(seconds));
        properties.setProperty("socketTimeout", String.valueOf(seconds));
        properties.setProperty("loginTimeout", String.valueOf(seconds));
        return DriverManager.getConnection(pool.getUrl(), properties);
    }

    /** A PING-like round trip: the size of Redis's database. */
    static StorageHealthCheck redis(RedissonClient redis, long timeoutMs) {
        return new StorageHealthCheck("redis", "Redis", timeoutMs, () -> {
            redis.getKeys().count();
            return "Redis answers";
        });
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try {
            builder.up().message(probe.call(timeoutMs));
        } catch (Exception e) {
            builder.down().message(server + " is unreachable: " + e.getMessage()).error(e);
        }
    }
}
