package io.harvester.dispatch.status;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harvester.api.ApiError;

/**
 * Reads workers' reports: {@code {"id": "...", "state": "...", "at": ..., ...}} or an array of them.
 * {@code id} is a non-empty string or an integer, {@code state} a non-empty string, {@code at} (optional,
 * default: when it arrived) epoch milliseconds or an ISO-8601 instant, at most a day ahead (a time far in
 * the future would freeze the task: nothing newer could win); every other field is kept as the payload. No
 * text may hold a NUL character (PostgreSQL stores none, and would refuse the whole batch). A bad report is an {@link ApiError} 400 naming its field ({@code state}, or {@code [3].state}
 * in an array), and nothing of that request is taken.
 */
public final class StatusUpdates {

    static final int MAX_ID = 200;
    static final int MAX_STATE = 100;
    static final long MAX_AHEAD_MS = 86_400_000L;
    /** A request's updates at most: each is a step of one atomic script call that Redis runs alone. */
    static final int MAX_UPDATES = 10_000;
    /** A report's other fields at most (bytes of JSON): a batch of 500 stays a few MB in the flush. */
    static final int MAX_PAYLOAD = 65_536;
    private static final ObjectMapper JSON = new ObjectMapper();

    private StatusUpdates() {
    }

    /** The reports of one HTTP request body. */
    public static List<StatusUpdate> parse(String body, long now) {
        JsonNode root = read(body);
        if (root.isObject()) {
            return List.of(update((ObjectNode) root, "", now, null));
        }
        if (!root.isArray() || root.isEmpty()) {
            throw ApiError.badRequest("body", "expected a status update {\"id\", \"state\"} or a non-empty array of them");
        }
        if (root.size() > MAX_UPDATES) {
            throw ApiError.badRequest("body", root.size() + " status updates in one request: send at most " + MAX_UPDATES);
        }
        List<StatusUpdate> updates = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            JsonNode item = root.get(i);
            if (!item.isObject()) {
                throw ApiError.badRequest("[" + i + "]", "expected a status update {\"id\", \"state\"}");
            }
            updates.add(update((ObjectNode) item, "[" + i + "].", now, null));
        }
        return updates;
    }

    /** One entry of the Redis list: a single report; {@code raw} is kept to remove the entry later. */
    public static StatusUpdate parseEntry(String raw, long now) {
        JsonNode root = read(raw);
        if (!root.isObject()) {
            throw ApiError.badRequest("body", "expected a status update {\"id\", \"state\"}");
        }
        return update((ObjectNode) root, "", now, raw);
    }

    private static JsonNode read(String body) {
        if (body == null || body.isBlank()) {
            throw ApiError.badRequest("body", "empty body: expected a status update or an array of them");
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("body", "not JSON: " + e.getOriginalMessage());
        }
    }

    private static StatusUpdate update(ObjectNode node, String path, long now, String raw) {
        JsonNode id = node.get("id");
        String taskId;
        if (id != null && id.isTextual() && !id.asText().isBlank()) {
            taskId = id.asText();
        } else if (id != null && id.isIntegralNumber()) {
            taskId = id.asText();
        } else {
            throw ApiError.badRequest(path + "id", "id is required: a non-empty string or an integer");
        }
        if (taskId.indexOf('\0') >= 0) {
            throw ApiError.badRequest(path + "id", "id holds a NUL character");
        }
        if (taskId.length() > MAX_ID) {
            throw ApiError.badRequest(path + "id", "id is longer than " + MAX_ID + " characters");
        }
        JsonNode state = node.get("state");
        if (state == null || !state.isTextual() || state.asText().isBlank()) {
            throw ApiError.badRequest(path + "state", "state is required: a non-empty string");
        }
        if (state.asText().indexOf('\0') >= 0) {
            throw ApiError.badRequest(path + "state", "state holds a NUL character");
        }
        if (state.asText().length() > MAX_STATE) {
            throw ApiError.badRequest(path + "state", "state is longer than " + MAX_STATE + " characters");
        }
        long at = at(node.get("at"), path, now);
        ObjectNode payload = JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!field.getKey().equals("id") && !field.getKey().equals("state") && !field.getKey().equals("at")) {
                payload.set(field.getKey(), field.getValue());
            }
        }
        String payloadText = payload.isEmpty() ? null : payload.toString();
        if (payloadText != null && payloadText.length() > MAX_PAYLOAD) {
            throw ApiError.badRequest(path.isEmpty() ? "body" : path.substring(0, path.length() - 1),
                    "the report's other fields take " + payloadText.length() + " characters of JSON: at most " + MAX_PAYLOAD);
        }
        if (payloadText != null && payloadText.contains("\\u0000")) {
            throw ApiError.badRequest(path.isEmpty() ? "body" : path.substring(0, path.length() - 1), "a field holds a NUL character");
        }
        return new StatusUpdate(taskId, state.asText(), at, payloadText, raw);
    }

    private static long at(JsonNode at, String path, long now) {
        if (at == null || at.isNull()) {
            return now;
        }
        long millis = -1;
        if (at.isIntegralNumber() && at.canConvertToLong()) {
            millis = at.asLong();
        } else if (at.isTextual()) {
            try {
                millis = Instant.parse(at.asText()).toEpochMilli();
            } catch (DateTimeParseException | ArithmeticException e) {
                // reported below with the rest
            }
        }
        if (millis < 0) {
            throw ApiError.badRequest(path + "at", "at must be epoch milliseconds or an ISO-8601 instant such as 2024-03-21T04:00:00Z");
        }
        if (millis > now + MAX_AHEAD_MS) {
            throw ApiError.badRequest(path + "at", "at is more than a day ahead of this server's clock");
        }
        return millis;
    }
}
