package io.harvester.http;

import java.io.IOException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * The {@code retryWhile} of pipeline routes: retries 5xx, 429 and I/O failures up to the route's
 * {@code harvesterRetries} exchange property, never other 4xx, a call the open breaker refused, nor a
 * failure of our own file or database writes, nor anything once the daemon is stopping.
 * For a 429 with {@code Retry-After} it sets Camel's redelivery-delay header so the wait is the
 * server's, not our backoff's.
 * <p>
 * It is a {@link Predicate} used through the {@code ref} language on purpose: a {@code method} call
 * would run on a copy of the exchange, and the delay header would never reach the error handler.
 */
public class HttpRetryPolicy implements Predicate {

    /** Exchange property holding how many retries the pipeline allows after the first attempt. */
    public static final String RETRIES = "harvesterRetries";
    /** Exchange property holding an {@link UpstreamPressure} told about every 429 and 5xx. */
    public static final String PRESSURE = "harvesterPressure";

    private long maxRetryAfterMs = 120_000;

    public void setMaxRetryAfterMs(long maxRetryAfterMs) {
        this.maxRetryAfterMs = maxRetryAfterMs;
    }

    @Override
    public boolean matches(Exchange exchange) {
        exchange.getMessage().removeHeader(Exchange.REDELIVERY_DELAY);
        Integer retries = exchange.getProperty(RETRIES, Integer.class);
        int failedAttempts = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class);
        Throwable failure = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        HttpOperationFailedException http = HttpFailures.find(failure, HttpOperationFailedException.class);
        UpstreamPressure pressure = exchange.getProperty(PRESSURE, UpstreamPressure.class);
        if (http != null && pressure != null && (http.getStatusCode() == 429 || http.getStatusCode() >= 500)) {
            pressure.pushedBack();
        }
        // while the daemon stops, a retry (with its backoff or Retry-After) would outlast the shutdown timeout
        if (retries == null || failedAttempts > retries || failure == null || HttpFailures.isBreakerOpen(failure)
                || HttpFailures.isLocal(failure) || exchange.getContext().isStopping()) {
            return false;
        }
        if (http != null) {
            if (http.getStatusCode() == 429) {
                Long delay = retryAfterMs(http.getResponseHeaders());
                if (delay != null) {
                    exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, Math.min(delay, maxRetryAfterMs));
                }
                return true;
            }
            return http.getStatusCode() >= 500;
        }
        return HttpFailures.find(failure, IOException.class) != null;
    }

    /** {@code Retry-After} as delay-seconds or an HTTP date; null when absent or unreadable. */
    static Long retryAfterMs(Map<String, String> headers) {
        if (headers == null) {
            return null;
        }
        String value = null;
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if ("retry-after".equalsIgnoreCase(h.getKey())) {
                value = h.getValue();
            }
        }
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Math.max(0, Long.parseLong(value.trim()) * 1000);
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                return Math.max(0, Duration.between(ZonedDateTime.now(at.getZone()), at).toMillis());
            } catch (DateTimeParseException unreadable) {
                return null;
            }
        }
    }
}
