package io.harvester.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import org.apache.camel.http.base.HttpOperationFailedException;

/** Turns what went wrong with an upstream call into one line a person can act on. */
public final class HttpFailures {

    private HttpFailures() {
    }

    public static String describe(Throwable failure) {
        if (failure == null) {
            return "unknown failure";
        }
        if (isLocal(failure) && failure.getMessage() != null) {
            // our own file or database: our message names the file or the run-model statement
            return failure.getMessage();
        }
        // our own words: they name the limit or the timeout and the parameter setting it
        RefusedAnswerException refused = find(failure, RefusedAnswerException.class);
        if (refused != null) {
            return refused.getMessage();
        }
        UpstreamTimeoutException timedOut = find(failure, UpstreamTimeoutException.class);
        if (timedOut != null) {
            return timedOut.getMessage();
        }
        HttpOperationFailedException http = find(failure, HttpOperationFailedException.class);
        if (http != null) {
            String redirect = http.isRedirectError() && http.getRedirectLocation() != null
                    ? " redirecting to " + http.getRedirectLocation() + " (redirects are not followed)" : "";
            return "HTTP " + http.getStatusCode() + (http.getStatusText() == null ? "" : " " + http.getStatusText())
                    + " from " + http.getUri() + redirect;
        }
        if (find(failure, CallNotPermittedException.class) != null) {
            return "circuit breaker is open after repeated failures; calls are not sent until it half-opens";
        }
        SocketTimeoutException timeout = find(failure, SocketTimeoutException.class);
        if (timeout != null) {
            return "timed out waiting for the upstream (" + timeout.getMessage() + ")";
        }
        if (find(failure, ConnectException.class) != null) {
            return "upstream is down: " + find(failure, ConnectException.class).getMessage();
        }
        if (find(failure, UnknownHostException.class) != null) {
            return "unknown host " + find(failure, UnknownHostException.class).getMessage();
        }
        AnswerFormatException format = find(failure, AnswerFormatException.class);
        if (format != null) {
            return format.getMessage();
        }
        IOException io = find(failure, IOException.class);
        Throwable shown = io != null ? io : root(failure);
        return shown.getClass().getSimpleName() + ": " + shown.getMessage();
    }

    /**
     * A failure of our own side: writing the output file (reported as {@link UncheckedIOException}) or
     * the database. Such failures may carry an {@link IOException} too, but retrying would re-run only
     * the step that failed, not the call upstream, so they are never upstream failures.
     */
    public static boolean isLocal(Throwable failure) {
        return find(failure, UncheckedIOException.class) != null || find(failure, SQLException.class) != null;
    }

    public static boolean isBreakerOpen(Throwable failure) {
        return find(failure, CallNotPermittedException.class) != null;
    }

    public static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static Throwable root(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
