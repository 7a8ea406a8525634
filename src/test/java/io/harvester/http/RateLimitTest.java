package io.harvester.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The rate spaces starts 1/rate apart, first attempts and booked retries alike. */
class RateLimitTest {

    private static final long MS = 1_000_000;

    @Test
    void should_space_starts_and_booked_retries_one_interval_apart() {
        RateLimit rate = new RateLimit(10);
        assertThat(rate.reserve(0)).isZero();
        assertThat(rate.reserve(40 * MS)).isEqualTo(60 * MS);
        assertThat(rate.reserve(100 * MS)).isZero();

        // a retry wanting to go 20 ms from now gets the next free slot, and the slot after it is the next start's
        assertThat(rate.reserveAt(110 * MS, 130 * MS)).isEqualTo(90 * MS);
        assertThat(rate.reserve(250 * MS)).isEqualTo(50 * MS);
        assertThat(rate.reserve(300 * MS)).isZero();
        // a retry asking for later than the next free slot gets exactly what it asked for
        assertThat(rate.reserveAt(300 * MS, 900 * MS)).isEqualTo(600 * MS);
    }

    @Test
    void should_only_wait_for_the_backoff_without_a_rate() {
        RateLimit none = new RateLimit(0);
        assertThat(none.reserve(5)).isZero();
        assertThat(none.reserveAt(100 * MS, 150 * MS)).isEqualTo(50 * MS);
    }

    @Test
    void should_hold_every_start_until_the_api_named_time_with_or_without_a_rate() {
        RateLimit none = new RateLimit(0);
        none.holdUntil(500 * MS);
        none.holdUntil(300 * MS);
        assertThat(none.held(100 * MS)).as("the later hold wins").isEqualTo(400 * MS);
        assertThat(none.reserve(100 * MS)).isEqualTo(400 * MS);
        assertThat(none.reserve(500 * MS)).isZero();

        RateLimit rate = new RateLimit(10);
        rate.holdUntil(200 * MS);
        assertThat(rate.reserve(0)).isEqualTo(200 * MS);
        assertThat(rate.reserve(200 * MS)).isZero();
        assertThat(rate.reserve(250 * MS)).isEqualTo(50 * MS);
    }
}
