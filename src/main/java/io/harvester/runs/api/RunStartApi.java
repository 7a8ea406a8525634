package io.harvester.runs.api;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.harvester.RouteFiles;
import io.harvester.api.ApiError;
import io.harvester.crawl.HierarchyCrawl;
import io.harvester.jobs.JobExecution;
import io.harvester.jobs.Jobs;
import io.harvester.runs.RunRefused;
import io.harvester.runs.RunRepository;
import io.harvester.runs.RunStarter;
import io.harvester.trigger.TriggerComponent;
import io.harvester.trigger.TriggerKind;
import org.apache.camel.Exchange;

/**
 * {@code POST /api/runs} (bean {@code runStartApi}): starts a pipeline in the background with trigger
 * {@code api} and answers with the id of its run once the run's row exists ({@link RunStarter}), while the
 * run goes on. A refused request starts nothing and records nothing: 400 for a bad request, 409 for a
 * pipeline that is stopped or already running.
 */
public class RunStartApi {

    private final RunRepository store;
    private final Jobs jobs;

    public RunStartApi(RunRepository store, Jobs jobs) {
        this.store = store;
        this.jobs = jobs;
    }

    public void start(Exchange exchange) throws Exception {
        RunStartRequest request = RunStartRequest.parse(exchange.getMessage().getBody(String.class));
        Set<String> declared = TriggerComponent.declared(exchange.getContext());
        String pipeline = request.pipeline();
        if (!declared.contains(pipeline)) {
            throw ApiError.badRequest("pipeline", "no pipeline named '" + pipeline + "'"
                    + RouteFiles.closest(pipeline, declared) + " (pipelines: " + declared + ")");
        }
        RunStarter starter = new RunStarter(exchange.getContext(), store);
        try {
            starter.refuseUnlessStarted(pipeline);
            Map<String, Object> headers = new HashMap<>();
            headers.put(TriggerKind.HEADER, TriggerKind.API.value());
            if (request.single()) {
                headers.put(JobExecution.STEP_HEADER, step(pipeline, request.step()));
            }
            headers.putAll(params(pipeline, request.params()));
            long id = starter.start(pipeline, headers);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", id);
            body.put("url", "/api/runs/" + id);
            exchange.getMessage().setBody(body);
        } catch (RunRefused refused) {
            throw new ApiError(409, refused.getMessage(), "pipeline");
        }
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
}
