package io.harvester.trigger;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.harvester.pipeline.PipelineKinds;
import io.harvester.runs.RunRefused;
import io.harvester.runs.RunStart;
import io.harvester.runs.RunRepository;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;

/**
 * Starts a pipeline for a caller that waits for the answer (POST /api/runs, JMX runNow and runStep): the
 * run goes on in the background, the caller gets its id as soon as its row exists ({@link RunStart}).
 * A pipeline that is not started, or that has a live run its kind's policy would not replace
 * (its kind's {@code replacesLiveRun}: a job's stuck run is cancelled by a manual start), is refused with
 * {@link RunRefused}. An {@code api} start that is refused records nothing; a {@code manual} one (JMX) is
 * refused before it reaches the pipeline, and leaves a skipped row only when another start wins a race in
 * between.
 */
public final class RunStarter {

    /** Beginning a run is a few statements; a start that takes longer than this is a failure to report. */
    private static final long BEGIN_WAIT_SECONDS = 30;

    private final CamelContext context;
    private final RunRepository store;

    public RunStarter(CamelContext context, RunRepository store) {
        this.context = context;
        this.store = store;
    }

    /** The id of the run begun for these trigger headers. */
    public long start(String pipeline, Map<String, Object> headers) throws Exception {
        refuseUnlessStarted(pipeline);
        refuseWhileLive(pipeline, headers);
        RunStart start = new RunStart();
        CompletableFuture<Exchange> run = TriggerComponent.of(context).startInBackground(pipeline, headers,
                Map.of(RunStart.PROPERTY, start));
        return awaitBegin(pipeline, headers, start, run);
    }

    /** Refuses a pipeline whose route is stopped or suspended (it is not removed: the caller found it declared). */
    public void refuseUnlessStarted(String pipeline) {
        refuseUnlessStarted(context, pipeline);
    }

    /** Refuses a pipeline whose route is stopped or suspended, or that has no route, as the runs API does. */
    public static void refuseUnlessStarted(CamelContext context, String pipeline) {
        ServiceStatus status = TriggerComponent.route(context, pipeline)
                .map(Route::getRouteId).map(id -> context.getRouteController().getRouteStatus(id)).orElse(null);
        if (status == null) {
            throw new IllegalArgumentException("no pipeline named " + pipeline);
        }
        if (status != ServiceStatus.Started) {
            throw new RunRefused("pipeline " + pipeline + " is " + status.name().toLowerCase(Locale.ROOT));
        }
        if (TriggerComponent.of(context).paused(pipeline)) {
            throw new RunRefused(TriggerConsumer.pausedMessage(pipeline));
        }
    }

    private void refuseWhileLive(String pipeline, Map<String, Object> headers) {
        store.liveRun(pipeline).filter(live -> !replaced(pipeline, headers)).ifPresent(live -> {
            throw new RunRefused("pipeline " + pipeline + " is running: run " + live);
        });
    }

    /** Whether the pipeline's policy would cancel its live run for this start: then the policy decides, not this. */
    private boolean replaced(String pipeline, Map<String, Object> headers) {
        return PipelineKinds.of(context, pipeline).replacesLiveRun(pipeline, headers);
    }

    /** The id of the run the trigger began; a trigger that ended without one (a run was live after all) is refused. */
    private long awaitBegin(String pipeline, Map<String, Object> headers, RunStart start, CompletableFuture<Exchange> run)
            throws Exception {
        run.whenComplete((done, failed) -> start.runId().completeExceptionally(new NoRunBegun(done, failed)));
        try {
            return start.runId().get(BEGIN_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("pipeline " + pipeline + " began no run within " + BEGIN_WAIT_SECONDS + " s");
        } catch (ExecutionException e) {
            NoRunBegun none = (NoRunBegun) e.getCause();
            Throwable failure = none.failed != null ? none.failed : none.done == null ? null : none.done.getException();
            if (failure instanceof Exception cause) {
                throw cause;
            }
            // another start won the race: its run is live, or has ended already
            refuseWhileLive(pipeline, headers);
            throw new RunRefused("pipeline " + pipeline + " began no run: a run of it was live when this start reached it");
        }
    }

    /** The trigger's exchange ended before a run was begun on it. */
    private static final class NoRunBegun extends RuntimeException {
        private final transient Exchange done;
        private final transient Throwable failed;

        NoRunBegun(Exchange done, Throwable failed) {
            super(null, null, false, false);
            this.done = done;
            this.failed = failed;
        }
    }
}
