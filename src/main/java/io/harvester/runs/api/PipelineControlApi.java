package io.harvester.runs.api;

import java.util.LinkedHashMap;
import java.util.Map;

import io.harvester.api.ApiError;
import io.harvester.trigger.TriggerComponent;
import org.apache.camel.Exchange;

/**
 * Bean {@code pipelineControlApi} (routes/harvester-run-control.camel.yaml): POST /api/pipelines/{name}/pause
 * and /resume. A paused pipeline starts no run here, on its schedule or on demand (409 naming the pause), until
 * it is resumed; a run in flight goes on to its end. Camel's route suspend (JMX) is another thing: it stops a
 * run still going after camel.main.shutdown-timeout.
 */
public final class PipelineControlApi {

    public Map<String, Object> pause(Exchange exchange) {
        return change(exchange, true);
    }

    public Map<String, Object> resume(Exchange exchange) {
        return change(exchange, false);
    }

    private static Map<String, Object> change(Exchange exchange, boolean pause) {
        String name = exchange.getMessage().getHeader("name", String.class);
        TriggerComponent triggers = TriggerComponent.of(exchange.getContext());
        if (TriggerComponent.route(exchange.getContext(), name).isEmpty()) {
            throw new ApiError(404, "there is no pipeline " + name + " (GET /api/pipelines lists them)", "name");
        }
        try {
            triggers.pause(name, pause);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // declared, but its route is stopped or being swapped by a live edit
            throw new ApiError(409, e.getMessage(), "name");
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("name", name);
        answer.put("paused", triggers.paused(name));
        return answer;
    }
}
