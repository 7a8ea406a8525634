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

/**
 * The body of a delayed-task request: one task or an array of tasks, each
 * {@code {"set": "...", "element": <string or any JSON value>, "due": <ISO-8601 instant or epoch ms>}}.
 * Every task is checked before any is stored: the first fault refuses the whole request.
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

    /** @param reservedPrefix names a target set may not start with (Harvester's own keys) */
    static List<DelayedTask> parse(String body, String reservedPrefix) {
        JsonNode root;
        try {
            root = JSON.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new InvalidTaskException("body", "not valid JSON" + at + ": " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new InvalidTaskException("body", "empty; expected a task or an array of tasks");
        }
        if (root.isObject()) {
            return List.of(task(root, "", reservedPrefix));
        }
        if (!root.isArray() || root.isEmpty()) {
            throw new InvalidTaskException("body", "expected a task {\"set\", \"element\", \"due\"} or a non-empty array of them");
        }
        if (root.size() > MAX_TASKS) {
            throw new InvalidTaskException("body", root.size() + " tasks; at most " + MAX_TASKS + " per request");
        }
        List<DelayedTask> tasks = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            if (!root.get(i).isObject()) {
                throw new InvalidTaskException("[" + i + "]", "not an object {\"set\", \"element\", \"due\"}");
            }
            tasks.add(task(root.get(i), "[" + i + "].", reservedPrefix));
        }
        return tasks;
    }

    private static DelayedTask task(JsonNode task, String path, String reservedPrefix) {
        for (Iterator<String> names = task.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new InvalidTaskException(path + name, "unknown field (a task has set, element and due)");
            }
        }
        return new DelayedTask(set(task.get("set"), path + "set", reservedPrefix), element(task.get("element"), path + "element"),
                due(task.get("due"), path + "due"));
    }

    private static String set(JsonNode set, String field, String reservedPrefix) {
        if (set == null || !set.isTextual() || set.asText().isBlank()) {
            throw new InvalidTaskException(field, "required: the name of the Redis set, a non-empty string");
        }
        String name = set.asText();
        if (name.length() > MAX_SET_LENGTH) {
            throw new InvalidTaskException(field, name.length() + " characters; at most " + MAX_SET_LENGTH);
        }
        if (name.startsWith(reservedPrefix)) {
            throw new InvalidTaskException(field, "'" + name + "' is Harvester's own key (" + reservedPrefix + "…)");
        }
        return name;
    }

    /** A string is the element as it is; any other JSON value becomes its compact JSON text. */
    private static String element(JsonNode element, String field) {
        if (element == null || element.isNull()) {
            throw new InvalidTaskException(field, "required: a string or a JSON value");
        }
        String text = element.isTextual() ? element.asText() : element.toString();
        if (text.isEmpty()) {
            throw new InvalidTaskException(field, "empty");
        }
        if (text.length() > MAX_ELEMENT_LENGTH) {
            throw new InvalidTaskException(field, text.length() + " characters; at most " + MAX_ELEMENT_LENGTH);
        }
        return text;
    }

    private static Instant due(JsonNode due, String field) {
        String expected = "an ISO-8601 instant with offset (2026-03-21T10:00:00Z) or epoch milliseconds";
        Instant at;
        if (due == null || due.isNull()) {
            throw new InvalidTaskException(field, "required: " + expected);
        } else if (due.isIntegralNumber() && due.canConvertToLong()) {
            at = Instant.ofEpochMilli(due.asLong());
        } else if (due.isTextual()) {
            try {
                at = OffsetDateTime.parse(due.asText(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            } catch (DateTimeException e) {
                throw new InvalidTaskException(field, "'" + due.asText() + "' is not " + expected);
            }
        } else {
            throw new InvalidTaskException(field, due + " is not " + expected);
        }
        if (at.isBefore(Instant.EPOCH) || at.isAfter(LATEST)) {
            throw new InvalidTaskException(field, at + " is outside 1970-01-01 to 9999-12-31");
        }
        return at;
    }
}
