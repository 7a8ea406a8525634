package io.harvester.runs.api;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import io.harvester.runs.RunStatus;

/** A row as the API shows it: named fields in the order given, times as ISO-8601 UTC, statuses as their words. */
final class JsonRow {

    private final Map<String, Object> fields = new LinkedHashMap<>();

    JsonRow with(String name, Object value) {
        fields.put(name, value instanceof Instant time ? time.toString() : value instanceof RunStatus status ? status.word() : value);
        return this;
    }

    Map<String, Object> fields() {
        return fields;
    }

    /** Milliseconds from {@code started} to {@code finished} (to now while it runs); null before it started. */
    static Long durationMs(Instant started, Instant finished) {
        if (started == null) {
            return null;
        }
        long to = finished != null ? finished.toEpochMilli() : System.currentTimeMillis();
        return to - started.toEpochMilli();
    }
}
