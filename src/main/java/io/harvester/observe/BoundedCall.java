package io.harvester.observe;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a blocking probe (a JDBC connection, a Redis command) with a deadline: health checks and scrapes
 * answer within it whatever the server does. A probe past its deadline is interrupted and left to end
 * on its own daemon thread.
 */
final class BoundedCall {

    private static final ExecutorService PROBES = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "harvester-probe");
        thread.setDaemon(true);
        return thread;
    });

    private BoundedCall() {
    }

    static <T> T within(long timeoutMs, String what, Callable<T> probe) throws Exception {
        Future<T> future = PROBES.submit(probe);
        try {
            return future.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new TimeoutException(what + " did not answer within " + timeoutMs + " ms");
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
