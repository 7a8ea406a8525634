package io.harvester.runs.api;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.api.ApiError;
import io.harvester.infra.ExactJson;

/**
 * The body of {@code POST /api/runs}, checked for its shape: {@code pipeline} (required), {@code mode}
 * ({@code complete}, the default, or {@code single}), {@code step} (with {@code single} only, and then
 * required) and {@code params} (an object). Whether the pipeline, step and params exist is
 * {@link RunStartApi}'s to check.
 */
record RunStartRequest(String pipeline, boolean single, String step, Map<String, JsonNode> params) {

    static final String COMPLETE = "complete";
    static final String SINGLE = "single";
    // decimals as written (a watermark 1700000000123.4567 is not a double's 1700000000123.4568)
    private static final ObjectMapper JSON = ExactJson.PARAMETERS;

    static RunStartRequest parse(String body) {
        JsonNode root;
        try {
            root = body == null || body.isBlank() ? null : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest(null, "the body is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw ApiError.badRequest(null, "the body must be a JSON object: {\"pipeline\": \"...\", \"mode\": \"complete\"}");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!Map.of("pipeline", 0, "mode", 0, "step", 0, "params", 0).containsKey(name)) {
                throw ApiError.badRequest(name, "unknown field '" + name + "' (fields: pipeline, mode, step, params)");
            }
        }
        String pipeline = text(root, "pipeline");
        if (pipeline == null || pipeline.isBlank()) {
            throw ApiError.badRequest("pipeline", "pipeline is required, e.g. \"export:orders\"");
        }
        String mode = text(root, "mode");
        if (mode != null && !mode.equals(COMPLETE) && !mode.equals(SINGLE)) {
            throw ApiError.badRequest("mode", "mode must be 'complete' or 'single', was '" + mode + "'");
        }
        boolean single = SINGLE.equals(mode);
        String step = text(root, "step");
        if (single && (step == null || step.isBlank())) {
            throw ApiError.badRequest("step", "mode single needs the step to run");
        }
        if (!single && step != null) {
            throw ApiError.badRequest("step", "a step is only given with mode single; mode complete runs every step");
        }
        JsonNode params = root.get("params");
        if (params != null && !params.isNull() && !params.isObject()) {
            throw ApiError.badRequest("params", "params must be a JSON object");
        }
        Map<String, JsonNode> values = new LinkedHashMap<>();
        if (params != null && params.isObject()) {
            params.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue()));
        }
        return new RunStartRequest(pipeline, single, step, values);
    }

    private static String text(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ApiError.badRequest(field, field + " must be a string");
        }
        return value.asText();
    }
}
