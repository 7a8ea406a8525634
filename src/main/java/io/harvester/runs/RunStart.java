package io.harvester.runs;

import java.util.concurrent.CompletableFuture;

import org.apache.camel.Exchange;

/**
 * How a caller that starts a pipeline in the background (the runs API) learns the id of the run it
 * started as soon as the run's row exists, while the run goes on: it puts a {@code RunStart} in
 * exchange property {@link #PROPERTY}, and whoever begins the run reports its id through
 * {@link #begun}. Only the first run begun on the exchange counts (a job may trigger another pipeline on
 * the same exchange).
 */
public final class RunStart {

    public static final String PROPERTY = "harvesterRunStart";

    private final CompletableFuture<Long> runId = new CompletableFuture<>();

    /** Reports the run begun for the exchange, if its starter waits for it. */
    public static void begun(Exchange exchange, long id) {
        RunStart start = exchange.getProperty(PROPERTY, RunStart.class);
        if (start != null) {
            start.runId.complete(id);
        }
    }

    /** The id of the run begun, once its row exists; empty-handed when the trigger ends without beginning one. */
    public CompletableFuture<Long> runId() {
        return runId;
    }
}
