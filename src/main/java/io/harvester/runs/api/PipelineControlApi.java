package io.harvester.runs.api;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.api.ApiError;
import io.harvester.infra.ExactJson;
import io.harvester.pipeline.PipelineKinds;
import io.harvester.pipeline.PipelineRefused;
import io.harvester.pipeline.Watermark;
import io.harvester.trigger.TriggerComponent;
import org.apache.camel.Exchange;

/**
 * Bean {@code pipelineControlApi} (routes/harvester-run-control.camel.yaml): POST /api/pipelines/{name}/pause,
 * /resume and /watermark (an incremental export's, set to {@code {"value": "..."}} or forgotten with
 * {@code {"value": null}}). A paused pipeline starts no run here, on its schedule or on demand (409 naming the pause), until
 * it is resumed; a run in flight goes on to its end. Camel's route suspend (JMX) is another thing: it stops a
 * run still going after camel.main.shutdown-timeout.
 */
public final class PipelineControlApi {

    // decimals as written (a watermark 1700000000123.4567 is not a double's 1700000000123.4568)
    private static final ObjectMapper JSON = ExactJson.PARAMETERS;

    public Map<String, Object> pause(Exchange exchange) {
        return change(exchange, true);
    }

    public Map<String, Object> resume(Exchange exchange) {
        return change(exchange, false);
    }

    /** Sets or forgets an incremental export's watermark; 200 {"name", "watermark"}. */
    public Map<String, Object> watermark(Exchange exchange) {
        String name = exchange.getMessage().getHeader("name", String.class);
        if (TriggerComponent.route(exchange.getContext(), name).isEmpty()) {
            throw new ApiError(404, "there is no pipeline " + name + " (GET /api/pipelines lists them)", "name");
        }
        String body = exchange.getMessage().getBody(String.class);
        JsonNode root;
        try {
            root = body == null || body.isBlank() ? null : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest(null, "the body is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject() || !root.has("value") || root.size() != 1
                || !(root.get("value").isNull() || root.get("value").isTextual() || root.get("value").isNumber())) {
            throw ApiError.badRequest("value", "the body must be {\"value\": \"<new watermark>\"}, or {\"value\": null} to forget it");
        }
        JsonNode given = root.get("value");
        String value = given.isNull() ? null : given.isNumber() ? given.decimalValue().toPlainString() : given.asText();
        try {
            Watermark now = PipelineKinds.of(exchange.getContext(), name).resetWatermark(name, value, "api");
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("name", name);
            answer.put("watermark", json(now));
            return answer;
        } catch (PipelineRefused refused) {
            throw new ApiError(refused.status(), refused.getMessage(), refused.field());
        }
    }

    /** A watermark as the API shows it. */
    static Map<String, Object> json(Watermark watermark) {
        return new JsonRow().with("value", watermark.value()).with("runId", watermark.runId()).with("setBy", watermark.setBy())
                .with("updatedAt", watermark.updatedAt()).fields();
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
