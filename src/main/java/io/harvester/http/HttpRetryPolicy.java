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
 * {@code harvesterRetries} exchange property, never other 4xx, a call the open breaker refused, an
 * answer Harvester refused to read on ({@link RefusedAnswerException}: past maxResponseBytes, or its run
 * ended), nor a failure of our own file or database writes, nor anything once the daemon is stopping.
 * It sets every retry's wait in Camel's redelivery-delay header: exponential backoff, or a 429's
 * {@code Retry-After} (the server's wait, not ours); a caller that paces its requests ({@link #PACING})
 * moves it on to the rate slot it booked. The route's redelivery policy has no delays of its own.
 * <p>
 * It is a {@link Predicate} used through the {@code ref} language on purpose: a {@code method} call
 * would run on a copy of the exchange, and the delay header would never reach the error handler.
 */
public class HttpRetryPolicy implements Predicate {

    /** Exchange property holding how many retries the pipeline allows after the first attempt. */
    public static final String RETRIES = "harvesterRetries";
    /** Exchange property holding an {@link UpstreamPressure} told about every 429 and 5xx. */
    public static final String PRESSURE = "harvesterPressure";
    /** Exchange property holding a {@link RetryPacing} that books every retry a slot of the caller's rate. */
    public static final String PACING = "harvesterPacing";

    private long maxRetryAfterMs = 120_000;
    /** Exponential backoff: the first retry waits this long, each next one twice as long, up to the max. */
    private long backoffInitialMs = 500;
    private long backoffMaxMs = 30_000;

    public void setMaxRetryAfterMs(long maxRetryAfterMs) {
        this.maxRetryAfterMs = maxRetryAfterMs;
    }

    public void setBackoffInitialMs(long backoffInitialMs) {
        this.backoffInitialMs = backoffInitialMs;
    }

    public void setBackoffMaxMs(long backoffMaxMs) {
        this.backoffMaxMs = backoffMaxMs;
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
            pressure.pushedBack(exchange);
        }
        // while the daemon stops, a retry (with its backoff or Retry-After) would outlast the shutdown timeout
        if (retries == null || failedAttempts > retries || failure == null || HttpFailures.isBreakerOpen(failure)
                || HttpFailures.find(failure, RefusedAnswerException.class) != null
                || HttpFailures.isLocal(failure) || exchange.getContext().isStopping()) {
            return false;
        }
        Long retryAfter = null;
        if (http != null) {
            if (http.getStatusCode() != 429 && http.getStatusCode() < 500) {
                return false;
            }
            retryAfter = http.getStatusCode() == 429 ? retryAfterMs(http.getResponseHeaders()) : null;
        } else if (HttpFailures.find(failure, IOException.class) == null) {
            return false;
        }
        RetryPacing pacing = exchange.getProperty(PACING, RetryPacing.class);
        long earliest = retryAfter != null ? Math.min(retryAfter, maxRetryAfterMs) : backoffMs(failedAttempts);
        exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY,
                pacing == null ? earliest : pacing.retryDelayMillis(earliest));
        return true;
    }

    /** The exponential backoff before retry {@code n} (1 for the first): initial × 2^(n−1), capped. */
    long backoffMs(int n) {
        long delay = backoffInitialMs;
        for (int i = 1; i < n && delay < backoffMaxMs; i++) {
            delay *= 2;
        }
        return Math.min(delay, backoffMaxMs);
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
