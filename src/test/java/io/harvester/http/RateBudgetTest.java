package io.harvester.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/** An API's rate-limit headers, read as a wait before the next request only when its budget is used up. */
class RateBudgetTest {

    private static final long NOW = 1_700_000_000_000L;

    @Test
    void should_wait_for_the_reset_when_nothing_remains_in_each_header_style() {
        assertThat(waitFor(Map.of("x-ratelimit-remaining", "0", "x-ratelimit-reset", "2"))).hasValue(2000);
        // an epoch second
        assertThat(waitFor(Map.of("X-RateLimit-Remaining", "0", "X-RateLimit-Reset", String.valueOf(NOW / 1000 + 3)))).hasValue(3000);
        assertThat(waitFor(Map.of("RateLimit-Remaining", "0", "RateLimit-Reset", "5"))).hasValue(5000);
        assertThat(waitFor(Map.of("RateLimit", "\"default\";r=0;t=7"))).hasValue(7000);
        assertThat(waitFor(Map.of("RateLimit", "limit=100, remaining=0, reset=4"))).hasValue(4000);
        // a reset already past: go now
        assertThat(waitFor(Map.of("X-RateLimit-Remaining", "0", "X-RateLimit-Reset", String.valueOf(NOW / 1000 - 10)))).hasValue(0);
    }

    @Test
    void should_say_nothing_while_budget_is_left_or_the_headers_are_missing_or_unreadable() {
        assertThat(waitFor(Map.of("X-RateLimit-Remaining", "3", "X-RateLimit-Reset", "2"))).isEmpty();
        assertThat(waitFor(Map.of("X-RateLimit-Remaining", "0"))).isEmpty();
        assertThat(waitFor(Map.of("X-RateLimit-Remaining", "none", "X-RateLimit-Reset", "2"))).isEmpty();
        assertThat(waitFor(Map.of("RateLimit", "limit=100, remaining=5, reset=4"))).isEmpty();
        assertThat(waitFor(Map.of())).isEmpty();
    }

    private static OptionalLong waitFor(Map<String, String> headers) {
        Map<String, String> any = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        any.putAll(headers);
        return RateBudget.waitMillis(any::get, NOW);
    }
}
