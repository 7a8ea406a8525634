package io.harvester.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.apache.camel.RuntimeCamelException;
import org.junit.jupiter.api.Test;

class PipelineBreakerRegistryTest {

    private final CircuitBreakerConfig settings = CircuitBreakerConfig.custom()
            .failureRateThreshold(50).slidingWindowSize(20).minimumNumberOfCalls(2)
            .waitDurationInOpenState(Duration.ofSeconds(30)).build();

    @Test
    void should_neither_count_a_run_ended_cut_as_failure_nor_as_success() {
        CircuitBreaker breaker = new PipelineBreakerRegistry().circuitBreaker("breaker-export-x", settings);

        for (int i = 0; i < 5; i++) {
            // as camel-resilience4j hands it over: wrapped
            breaker.onError(0, TimeUnit.NANOSECONDS, new RuntimeCamelException(new RunEndedException()));
        }

        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.getMetrics().getNumberOfBufferedCalls()).isZero();
    }

    @Test
    void should_count_every_other_failure_and_keep_the_settings() {
        CircuitBreaker breaker = new PipelineBreakerRegistry().circuitBreaker("breaker-export-y", settings);

        breaker.onError(0, TimeUnit.NANOSECONDS, new RuntimeCamelException(RefusedAnswerException.tooLarge(10)));
        breaker.onError(0, TimeUnit.NANOSECONDS, new RuntimeCamelException(UpstreamTimeoutException.tooSlow(1000, 3)));

        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(2);
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(breaker.getCircuitBreakerConfig().getSlidingWindowSize()).isEqualTo(20);
        assertThat(breaker.getCircuitBreakerConfig().getMinimumNumberOfCalls()).isEqualTo(2);
        assertThat(breaker.getCircuitBreakerConfig().getFailureRateThreshold()).isEqualTo(50f);
    }
}
