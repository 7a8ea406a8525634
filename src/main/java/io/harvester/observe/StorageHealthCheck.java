package io.harvester.observe;

import java.sql.Connection;
import java.util.Map;
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
     * {@code SELECT 1} through the pool's validation ({@code Connection.isValid}). A pool whose connections
     * are all lent out is busy, not down: waiting for one would fail the check of an instance that works.
     */
    static StorageHealthCheck database(DataSource dataSource, long timeoutMs) {
        return new StorageHealthCheck("database", "PostgreSQL", timeoutMs, () -> {
            if (dataSource instanceof BasicDataSource pool && pool.getNumIdle() == 0
                    && pool.getNumActive() >= pool.getMaxTotal()) {
                return "PostgreSQL answers (busy: all " + pool.getMaxTotal() + " pooled connections in use)";
            }
            try (Connection connection = dataSource.getConnection()) {
                if (!connection.isValid((int) Math.max(1, timeoutMs / 1000))) {
                    throw new IllegalStateException("the connection is not valid");
                }
            }
            return "PostgreSQL answers";
        });
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
