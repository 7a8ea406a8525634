package io.harvester.api;

/**
 * A request the API refuses: its HTTP status, what is wrong, and the request field at fault (null when
 * the request as a whole is). Rendered as {@code {"error": "...", "field": "..."}} by {@link ApiResponse}.
 */
public class ApiError extends RuntimeException {

    private final int status;
    private final String field;

    public ApiError(int status, String message, String field) {
        super(message);
        this.status = status;
        this.field = field;
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
}
