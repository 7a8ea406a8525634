package io.harvester.dispatch.status;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One worker's report: task {@code taskId} is in {@code state} as of {@code at} (epoch ms; the newest
 * {@code at} wins), with the report's other fields as {@code payload} (a JSON object, or null). {@code raw}
 * is the Redis list entry it came from, so the entry leaves the processing list as the update is applied;
 * null for an update received over HTTP. Kept in the pending list as JSON text ({@link #toJson}, without
 * {@code raw}).
 */
public record StatusUpdate(String taskId, String state, long at, String payload, String raw) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public String toJson() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("id", taskId);
        fields.put("state", state);
        fields.put("at", at);
        fields.put("payload", payload);
        try {
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("status update not representable as JSON", e);
        }
    }

    public static StatusUpdate fromJson(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            return new StatusUpdate(node.get("id").asText(), node.get("state").asText(), node.get("at").asLong(),
                    text(node.get("payload")), null);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored status update is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }
}
