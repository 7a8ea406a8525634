package io.harvester.support;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.List;

import javax.sql.DataSource;

import org.redisson.api.RBatch;
import org.redisson.api.RedissonClient;

/**
 * Real storage clients that also note what goes through them, for tests that count round trips: every
 * call reaches the real PostgreSQL or Redis, nothing is mocked.
 */
public final class RecordingProxies {

    /** Sees each call's result after the target made it; returns what the caller gets. */
    private interface AfterCall {
        Object after(Method method, Object[] args, Object result);
    }

    private RecordingProxies() {
    }

    /** {@code dataSource}, noting the SQL of every statement prepared on its connections ("createStatement" for a plain one). */
    public static DataSource statements(DataSource dataSource, List<String> statements) {
        return proxy(DataSource.class, dataSource, (method, args, result) -> result instanceof Connection connection
                ? proxy(Connection.class, connection, (call, sql, statement) -> {
                    if (call.getName().startsWith("prepare")) {
                        statements.add((String) sql[0]);
                    } else if (call.getName().equals("createStatement")) {
                        statements.add("createStatement");
                    }
                    return statement;
                })
                : result);
    }

    /**
     * {@code redis}, noting every method called on it by name, and "execute" for each execution of a batch
     * it created (the commands queued on a batch travel in that execution's one pipelined round).
     */
    public static RedissonClient calls(RedissonClient redis, List<String> calls) {
        return proxy(RedissonClient.class, redis, (method, args, result) -> {
            calls.add(method.getName());
            return result instanceof RBatch batch ? proxy(RBatch.class, batch, (call, a, r) -> {
                if (call.getName().startsWith("execute")) {
                    calls.add("execute"); // execute or executeAsync: one round either way
                }
                return r;
            }) : result;
        });
    }

    private static <T> T proxy(Class<T> type, T target, AfterCall afterCall) {
        return type.cast(Proxy.newProxyInstance(RecordingProxies.class.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> {
                    try {
                        return afterCall.after(method, args, method.invoke(target, args));
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                }));
    }
}
