package io.harvester.observe;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A blocking probe (a JDBC connection, a Redis command) answered within a deadline: health checks and
 * scrapes answer in time whatever the server does. One probe of a kind runs at a time: a probe past its
 * deadline is left to end on its own thread (a JDBC read is not interruptible), and the calls meanwhile
 * wait for that same probe instead of starting another, so a stuck server holds one thread and one
 * pooled connection, not one per scrape.
 */
final class BoundedCall<T> {

    private static final ExecutorService PROBES = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "harvester-probe");
        thread.setDaemon(true);
        return thread;
    });

    private final String what;
    private final Callable<T> probe;
    private Future<T> inFlight;

    BoundedCall(String what, Callable<T> probe) {
        this.what = what;
        this.probe = probe;
    }

    T call(long timeoutMs) throws Exception {
        Future<T> future;
        synchronized (this) {
            if (inFlight == null || inFlight.isDone()) {
                inFlight = PROBES.submit(probe);
            }
            future = inFlight;
        }
        try {
            return future.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new TimeoutException(what + " did not answer within " + timeoutMs + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
