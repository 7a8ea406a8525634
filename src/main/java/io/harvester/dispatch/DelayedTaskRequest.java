package io.harvester.dispatch;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.api.ApiError;

/**
 * The body of a delayed-task request: one task or an array of tasks, each
 * {@code {"set": "...", "element": <string or any JSON value>, "due": <ISO-8601 instant or epoch ms>}}.
 * Every task is checked before any is stored: the first fault refuses the whole request, a 400 naming the
 * field ({@code due}, {@code [3].due} in an array).
 */
final class DelayedTaskRequest {

    static final int MAX_TASKS = 10_000;
    static final int MAX_SET_LENGTH = 256;
    static final int MAX_ELEMENT_LENGTH = 65_536;
    private static final Set<String> FIELDS = Set.of("set", "element", "due");
    /** PostgreSQL's timestamptz and a readable date both end with year 9999. */
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private DelayedTaskRequest() {
    }

    /** @param ownKeys names a target set may not start with */
    static List<DelayedTask> parse(String body, OwnKeys ownKeys) {
        JsonNode root;
        try {
            root = JSON.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw ApiError.badRequest("body", "not JSON" + at + ": " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw ApiError.badRequest("body", "empty body: expected a delayed task or an array of them");
        }
        if (root.isObject()) {
            return List.of(task(root, "", ownKeys));
        }
        if (!root.isArray() || root.isEmpty()) {
            throw ApiError.badRequest("body", "expected a delayed task {\"set\", \"element\", \"due\"} or a non-empty array of them");
        }
        if (root.size() > MAX_TASKS) {
            throw ApiError.badRequest("body", root.size() + " tasks in one request; at most " + MAX_TASKS);
        }
        List<DelayedTask> tasks = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            if (!root.get(i).isObject()) {
                throw ApiError.badRequest("[" + i + "]", "expected a delayed task {\"set\", \"element\", \"due\"}");
            }
            tasks.add(task(root.get(i), "[" + i + "].", ownKeys));
        }
        return tasks;
    }

    private static DelayedTask task(JsonNode task, String path, OwnKeys ownKeys) {
        for (Iterator<String> names = task.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw ApiError.badRequest(path + name, "unknown field " + name + ": a delayed task has set, element and due");
            }
        }
        return new DelayedTask(set(task.get("set"), path + "set", ownKeys), element(task.get("element"), path + "element"),
                due(task.get("due"), path + "due"));
    }

    private static String set(JsonNode set, String field, OwnKeys ownKeys) {
        if (set == null || !set.isTextual() || set.asText().isBlank()) {
            throw ApiError.badRequest(field, "set is required: the name of a Redis set, a non-empty string");
        }
        String name = set.asText();
        if (name.length() > MAX_SET_LENGTH) {
            throw ApiError.badRequest(field, "set is longer than " + MAX_SET_LENGTH + " characters");
        }
        ownKeys.owner(name).ifPresent(owner -> {
            throw ApiError.badRequest(field, "set '" + name + "' is one of Harvester's own keys: " + owner);
        });
        return name;
    }

    /** A string is the element as it is; any other JSON value becomes its compact JSON text. */
    private static String element(JsonNode element, String field) {
        if (element == null || element.isNull()) {
            throw ApiError.badRequest(field, "element is required: a string or any other JSON value");
        }
        String text = element.isTextual() ? element.asText() : element.toString();
        if (text.isEmpty()) {
            throw ApiError.badRequest(field, "element is empty");
        }
        if (text.length() > MAX_ELEMENT_LENGTH) {
            throw ApiError.badRequest(field, "element is longer than " + MAX_ELEMENT_LENGTH + " characters");
        }
        return text;
    }

    private static Instant due(JsonNode due, String field) {
        String expected = "an ISO-8601 instant with offset (2026-03-21T10:00:00Z) or epoch milliseconds";
        Instant at;
        if (due == null || due.isNull()) {
            throw ApiError.badRequest(field, "due is required: " + expected);
        } else if (due.isIntegralNumber() && due.canConvertToLong()) {
            at = Instant.ofEpochMilli(due.asLong());
        } else if (due.isTextual()) {
            try {
                at = OffsetDateTime.parse(due.asText(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            } catch (DateTimeException e) {
                throw ApiError.badRequest(field, "due '" + due.asText() + "' is not " + expected);
            }
        } else {
            throw ApiError.badRequest(field, "due " + due + " is not " + expected);
        }
        if (at.isBefore(Instant.EPOCH) || at.isAfter(LATEST)) {
            throw ApiError.badRequest(field, "due " + at + " is outside 1970-01-01 to 9999-12-31");
        }
        return at;
    }
}
