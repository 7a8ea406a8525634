package io.harvester.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** Which upstream failures are retried, how often, and how long a 429 waits. */
class HttpRetryPolicyTest {

    private final HttpRetryPolicy policy = new HttpRetryPolicy();

    private static Exchange failedWith(Exception e, int failedAttempts, int retries) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setException(e);
        exchange.setProperty(HttpRetryPolicy.RETRIES, retries);
        exchange.getMessage().setHeader(Exchange.REDELIVERY_COUNTER, failedAttempts);
        return exchange;
    }

    private static HttpOperationFailedException http(int status, Map<String, String> headers) {
        return new HttpOperationFailedException("http://h/x", status, "status", null, headers, "");
    }

    @Test
    void should_retry_server_errors_and_io_failures_until_the_retries_are_used() {
        assertThat(policy.matches(failedWith(http(500, Map.of()), 1, 3))).isTrue();
        Exchange third = failedWith(http(503, Map.of()), 3, 3);
        assertThat(policy.matches(third)).isTrue();
        assertThat(third.getMessage().getHeader(Exchange.REDELIVERY_DELAY)).as("backoff 500, 1000, 2000").isEqualTo(2000L);
        assertThat(policy.matches(failedWith(http(503, Map.of()), 4, 3))).isFalse();
        assertThat(policy.matches(failedWith(new SocketTimeoutException("Read timed out"), 1, 3))).isTrue();
        assertThat(policy.matches(failedWith(UpstreamTimeoutException.silent(500, 1, new SocketTimeoutException("Read timed out")), 1, 3)))
                .as("a stall is a timeout like any other").isTrue();
        assertThat(policy.matches(failedWith(UpstreamTimeoutException.tooSlow(600_000, 12), 1, 3))).isTrue();
        assertThat(policy.matches(failedWith(new RuntimeException(new IOException("reset")), 1, 3))).isTrue();
    }

    @Test
    void should_not_retry_client_errors_bad_or_refused_answers_or_an_open_breaker() {
        assertThat(policy.matches(failedWith(http(404, Map.of()), 1, 3))).isFalse();
        assertThat(policy.matches(failedWith(http(400, Map.of()), 1, 3))).isFalse();
        assertThat(policy.matches(failedWith(new AnswerFormatException("bad"), 1, 3))).isFalse();
        assertThat(policy.matches(failedWith(RefusedAnswerException.tooLarge(1000), 1, 3))).as("the same answer again").isFalse();
        assertThat(policy.matches(failedWith(new RunEndedException(), 1, 3))).isFalse();
        CallNotPermittedException open = CallNotPermittedException.createCallNotPermittedException(CircuitBreaker.ofDefaults("x"));
        assertThat(policy.matches(failedWith(open, 1, 3))).isFalse();
    }

    @Test
    void should_book_a_paced_retry_no_earlier_than_its_backoff_or_retry_after() {
        policy.setBackoffInitialMs(100);
        policy.setBackoffMaxMs(1000);
        List<Long> asked = new ArrayList<>();
        RetryPacing pacing = earliest -> {
            asked.add(earliest);
            return earliest + 250;
        };

        Exchange second = failedWith(http(503, Map.of()), 2, 3);
        second.setProperty(HttpRetryPolicy.PACING, pacing);
        assertThat(policy.matches(second)).isTrue();
        Exchange limited = failedWith(http(429, Map.of("Retry-After", "3")), 1, 3);
        limited.setProperty(HttpRetryPolicy.PACING, pacing);
        assertThat(policy.matches(limited)).isTrue();

        assertThat(asked).containsExactly(200L, 3000L);
        assertThat(second.getMessage().getHeader(Exchange.REDELIVERY_DELAY)).isEqualTo(450L);
        assertThat(limited.getMessage().getHeader(Exchange.REDELIVERY_DELAY)).isEqualTo(3250L);
        assertThat(List.of(policy.backoffMs(1), policy.backoffMs(2), policy.backoffMs(4), policy.backoffMs(5)))
                .containsExactly(100L, 200L, 800L, 1000L);
    }

    @Test
    void should_not_retry_a_failed_file_or_database_write_even_when_it_carries_an_io_error() {
        UncheckedIOException disk = new UncheckedIOException("cannot write out.csv.tmp",
                new IOException("No space left on device"));
        assertThat(policy.matches(failedWith(disk, 1, 3))).isFalse();
        SQLException database = new SQLException("An I/O error occurred while sending to the backend",
                new SocketException("Connection reset"));
        assertThat(policy.matches(failedWith(new IllegalStateException("checkpoint write failed", database), 1, 3))).isFalse();
    }

    @Test
    void should_wait_as_long_as_retry_after_says_capped() {
        Exchange exchange = failedWith(http(429, Map.of("Retry-After", "2")), 1, 3);
        assertThat(policy.matches(exchange)).isTrue();
        assertThat(exchange.getMessage().getHeader(Exchange.REDELIVERY_DELAY)).isEqualTo(2000L);

        policy.setMaxRetryAfterMs(500);
        Exchange capped = failedWith(http(429, Map.of("retry-after", "60")), 1, 3);
        assertThat(policy.matches(capped)).isTrue();
        assertThat(capped.getMessage().getHeader(Exchange.REDELIVERY_DELAY)).isEqualTo(500L);

        // without Retry-After the backoff applies (500 ms before a first retry); a stale delay never survives
        Exchange noHeader = failedWith(http(429, Map.of()), 1, 3);
        noHeader.getMessage().setHeader(Exchange.REDELIVERY_DELAY, 9999L);
        assertThat(policy.matches(noHeader)).isTrue();
        assertThat(noHeader.getMessage().getHeader(Exchange.REDELIVERY_DELAY)).isEqualTo(500L);
    }

    @Test
    void should_read_retry_after_as_an_http_date() {
        String inTwoMinutes = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                .format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusMinutes(2));
        assertThat(HttpRetryPolicy.retryAfterMs(Map.of("Retry-After", inTwoMinutes))).isBetween(100_000L, 120_000L);
        assertThat(HttpRetryPolicy.retryAfterMs(Map.of("Retry-After", "soon"))).isNull();
    }

    @Test
    void should_parse_request_headers_and_never_show_their_values() {
        RequestHeaders headers = RequestHeaders.parse("Authorization: Bearer a:b; X-Id: 7\nAccept: text/csv");
        assertThat(headers.values()).containsExactly(Map.entry("Authorization", "Bearer a:b"), Map.entry("X-Id", "7"),
                Map.entry("Accept", "text/csv"));
        assertThat(headers).hasToString("headers [Authorization, X-Id, Accept]");
    }
}
