package io.harvester.runs.api;

import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.postgresql.util.PGobject;

/** A database row as the API shows it: named fields in column order, times as ISO-8601 UTC, jsonb as JSON. */
final class JsonRow {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonRow() {
    }

    /** The row's values under {@code names}, one name per column. */
    static Map<String, Object> of(Object[] row, String... names) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            fields.put(names[i], value(row[i]));
        }
        return fields;
    }

    private static Object value(Object column) {
        if (column instanceof Timestamp time) {
            return time.toInstant().toString();
        }
        if (column instanceof PGobject json && json.getValue() != null) {
            try {
                return JSON.readTree(json.getValue());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("jsonb column not readable as JSON", e);
            }
        }
        return column;
    }

    /** Milliseconds from {@code started} to {@code finished} (to now while it runs); null before it started. */
    static Long durationMs(Object started, Object finished) {
        if (!(started instanceof Timestamp from)) {
            return null;
        }
        long to = finished instanceof Timestamp end ? end.getTime() : System.currentTimeMillis();
        return to - from.getTime();
    }
}
