package io.harvester.runs.api;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.harvester.api.ApiError;
import io.harvester.infra.NearestName;
import io.harvester.pipeline.PipelineKind;
import io.harvester.pipeline.PipelineKinds;
import io.harvester.pipeline.PipelineRefused;
import io.harvester.runs.RunRefused;
import io.harvester.trigger.RunStarter;
import io.harvester.runs.RunRepository;
import io.harvester.trigger.TriggerComponent;
import io.harvester.runs.TriggerKind;
import org.apache.camel.Exchange;

/**
 * {@code POST /api/runs} (bean {@code runStartApi}): starts a pipeline in the background with trigger
 * {@code api} and answers with the id of its run once the run's row exists ({@link RunStarter}), while the
 * run goes on. A refused request starts nothing and records nothing: 400 for a bad request, 409 for a
 * pipeline that is stopped or already running.
 */
public class RunStartApi {

    private final RunRepository store;

    public RunStartApi(RunRepository store) {
        this.store = store;
    }

    public void start(Exchange exchange) throws Exception {
        RunStartRequest request = RunStartRequest.parse(exchange.getMessage().getBody(String.class));
        Set<String> declared = TriggerComponent.declared(exchange.getContext());
        String pipeline = request.pipeline();
        if (!declared.contains(pipeline)) {
            throw ApiError.badRequest("pipeline", "no pipeline named '" + pipeline + "'"
                    + NearestName.suggestion(pipeline, declared) + " (pipelines: " + declared + ")");
        }
        RunStarter starter = new RunStarter(exchange.getContext(), store);
        try {
            starter.refuseUnlessStarted(pipeline);
            Map<String, Object> headers = new HashMap<>();
            headers.put(TriggerKind.HEADER, TriggerKind.API.value());
            PipelineKind kind = PipelineKinds.of(exchange.getContext(), pipeline);
            if (request.single()) {
                headers.putAll(kind.singleStep(pipeline, request.step()));
            }
            headers.putAll(kind.startHeaders(pipeline, request.params()));
            long id = starter.start(pipeline, headers);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", id);
            body.put("url", "/api/runs/" + id);
            exchange.getMessage().setBody(body);
        } catch (PipelineRefused refused) {
            throw new ApiError(refused.status(), refused.getMessage(), refused.field());
        } catch (RunRefused refused) {
            throw new ApiError(409, refused.getMessage(), "pipeline");
        }
    }
}
