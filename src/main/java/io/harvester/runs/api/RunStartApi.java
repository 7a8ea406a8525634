package io.harvester.runs.api;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import io.harvester.RouteFiles;
import io.harvester.api.ApiError;
import io.harvester.crawl.HierarchyCrawl;
import io.harvester.jobs.JobExecution;
import io.harvester.jobs.Jobs;
import io.harvester.runs.RunStart;
import io.harvester.runs.RunStore;
import io.harvester.trigger.TriggerComponent;
import io.harvester.trigger.TriggerKind;
import org.apache.camel.Exchange;

/**
 * {@code POST /api/runs} (bean {@code runStartApi}): starts a pipeline in the background with trigger
 * {@code api} and answers with the id of its run once the run's row exists ({@link RunStart}), while the
 * run goes on. A refused request starts nothing and records nothing.
 */
public class RunStartApi {

    /** Beginning a run is a few statements; a start that takes longer than this is a failure to report. */
    private static final long BEGIN_WAIT_SECONDS = 30;

    private final RunStore store;
    private final Jobs jobs;

    public RunStartApi(RunStore store, Jobs jobs) {
        this.store = store;
        this.jobs = jobs;
    }

    public void start(Exchange exchange) throws Exception {
        RunStartRequest request = RunStartRequest.parse(exchange.getMessage().getBody(String.class));
        TriggerComponent triggers = TriggerComponent.of(exchange.getContext());
        String pipeline = request.pipeline();
        if (!triggers.pipelines().contains(pipeline)) {
            throw ApiError.badRequest("pipeline", "no pipeline named '" + pipeline + "'"
                    + RouteFiles.closest(pipeline, triggers.pipelines()) + " (pipelines: " + triggers.pipelines() + ")");
        }
        Map<String, Object> headers = new HashMap<>();
        headers.put(TriggerKind.HEADER, TriggerKind.API.value());
        if (request.single()) {
            headers.put(JobExecution.STEP_HEADER, step(pipeline, request.step()));
        }
        headers.putAll(params(pipeline, request.params()));
        refuseWhileLive(pipeline);
        RunStart start = new RunStart();
        CompletableFuture<Exchange> run = triggers.startInBackground(pipeline, headers, Map.of(RunStart.PROPERTY, start));
        long id = awaitBegin(pipeline, start, run);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("url", "/api/runs/" + id);
        exchange.getMessage().setBody(body);
    }

    private String step(String pipeline, String step) {
        if (!pipeline.startsWith("job:")) {
            throw ApiError.badRequest("mode", "mode single runs one step of a job; " + pipeline + " is not a job");
        }
        var steps = jobs.steps(pipeline).orElseThrow();
        if (!steps.contains(step)) {
            throw ApiError.badRequest("step", pipeline + " has no step '" + step + "'"
                    + RouteFiles.closest(step, new java.util.TreeSet<>(steps)) + " (steps: " + steps + ")");
        }
        return step;
    }

    /** The params a pipeline takes, as headers of its trigger: a crawl's retryFailed; nothing else so far. */
    private Map<String, Object> params(String pipeline, Map<String, JsonNode> params) {
        Map<String, Object> headers = new HashMap<>();
        for (Map.Entry<String, JsonNode> param : params.entrySet()) {
            String field = "params." + param.getKey();
            if (!pipeline.startsWith("crawl:") || !param.getKey().equals("retryFailed")) {
                throw ApiError.badRequest(field, pipeline + " takes no parameter '" + param.getKey() + "'"
                        + (pipeline.startsWith("crawl:") ? " (crawls take: retryFailed)" : ""));
            }
            if (!param.getValue().isBoolean()) {
                throw ApiError.badRequest(field, "retryFailed must be true or false");
            }
            if (param.getValue().asBoolean()) {
                if (HierarchyCrawl.latestPartial(store, pipeline, -1).isEmpty()) {
                    throw new ApiError(409, "nothing to retry: the newest finished run of " + pipeline + " is not partial",
                            field);
                }
                headers.put(HierarchyCrawl.RETRY_FAILED, true);
            }
        }
        return headers;
    }

    private void refuseWhileLive(String pipeline) {
        store.liveRun(pipeline).ifPresent(live -> {
            throw new ApiError(409, "pipeline " + pipeline + " is running: run " + live, "pipeline");
        });
    }

    /** The id of the run the trigger began; a trigger that ended without one (a run was live after all) is refused. */
    private long awaitBegin(String pipeline, RunStart start, CompletableFuture<Exchange> run) throws Exception {
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
            refuseWhileLive(pipeline);
            throw new ApiError(409, "pipeline " + pipeline + " began no run (see its skipped row in runs)", "pipeline");
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
