package io.harvester.api;

/**
 * A request the API refuses: its HTTP status, what is wrong, and the request field at fault (null when
 * the request as a whole is). Rendered as {@code {"error": "...", "field": "..."}} by {@link ApiResponse}.
 */
public class ApiError extends RuntimeException {

    private final int status;
    private final String field;
    private final int retryAfterSeconds;

    public ApiError(int status, String message, String field) {
        this(status, message, field, 0);
    }

    private ApiError(int status, String message, String field, int retryAfterSeconds) {
        super(message);
        this.status = status;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 503: a store the request needs is away; the client should send it again after {@code retryAfterSeconds}. */
    public static ApiError unavailable(String message, int retryAfterSeconds) {
        return new ApiError(503, message, null, retryAfterSeconds);
    }

    public static ApiError badRequest(String field, String message) {
        return new ApiError(400, message, field);
    }

    public int status() {
        return status;
    }

    public String field() {
        return field;
    }

    /** The Retry-After header's seconds; 0 for none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
