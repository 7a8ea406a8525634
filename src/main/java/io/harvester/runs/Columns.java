package io.harvester.runs;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The run tables' columns JDBC hands out untyped, read typed: times, jsonb, statuses, nullable ids. */
final class Columns {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Columns() {
    }

    static Instant instant(ResultSet row, String column) throws SQLException {
        Timestamp time = row.getTimestamp(column);
        return time == null ? null : time.toInstant();
    }

    static JsonNode json(ResultSet row, String column) throws SQLException {
        String text = row.getString(column);
        if (text == null) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("jsonb column not readable as JSON", e);
        }
    }

    static RunStatus status(ResultSet row, String column) throws SQLException {
        return RunStatus.of(row.getString(column));
    }

    static Long nullableLong(ResultSet row, String column) throws SQLException {
        return row.getObject(column, Long.class);
    }
}
