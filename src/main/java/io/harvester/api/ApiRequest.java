package io.harvester.api;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

import org.apache.camel.Exchange;

/**
 * A request's path and query parameters (platform-http hands both over as headers), read strictly: a
 * value that is present but malformed is a 400 naming its parameter, never silently a default.
 */
public final class ApiRequest {

    private final Exchange exchange;

    public ApiRequest(Exchange exchange) {
        this.exchange = exchange;
    }

    /** The parameter's text, null when absent or empty. */
    public String text(String name) {
        String value = exchange.getMessage().getHeader(name, String.class);
        return value == null || value.isEmpty() ? null : value;
    }

    /** A whole number between {@code min} and {@code max}; {@code fallback} when absent. */
    public long number(String name, long fallback, long min, long max) {
        String value = text(name);
        if (value == null) {
            return fallback;
        }
        long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw ApiError.badRequest(name, name + " must be a whole number, not '" + value + "'");
        }
        if (parsed < min || parsed > max) {
            throw ApiError.badRequest(name, name + " must be between " + min + " and " + max + ", not " + parsed);
        }
        return parsed;
    }

    /** A time as ISO-8601 with its offset (2030-01-01T00:00:00Z); null when absent. */
    public Instant time(String name) {
        String value = text(name);
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest(name, name + " must be an ISO-8601 time with its offset, such as"
                    + " 2030-01-01T00:00:00Z, not '" + value + "'");
        }
    }

    /** The run id in the path: 400 when it is not a positive number. */
    public long runId() {
        String value = text("id");
        try {
            long id = Long.parseLong(value);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiError.badRequest("id", "a run id is a positive whole number, not '" + value + "'");
    }
}
