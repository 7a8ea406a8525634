package io.harvester.crawl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The limit halves once per back-off event and grows back by one per window of successes, within 1..max. */
class AdaptiveLimitTest {

    @Test
    void should_halve_once_for_push_backs_of_attempts_started_before_the_cut() {
        AdaptiveLimit limit = new AdaptiveLimit(8);
        int startedAt = limit.cuts();

        limit.pushedBack(startedAt);
        limit.pushedBack(startedAt);
        limit.pushedBack(startedAt);
        assertThat(limit.current()).as("three concurrent 429s are one event").isEqualTo(4);

        limit.pushedBack(limit.cuts());
        limit.pushedBack(limit.cuts());
        limit.pushedBack(limit.cuts());
        assertThat(limit.current()).as("attempts started after each cut cut again, down to 1").isEqualTo(1);
        assertThat(limit.history()).extracting(AdaptiveLimit.Change::limit).containsExactly(8, 4, 2, 1);
    }

    @Test
    void should_grow_by_one_per_window_of_successes_up_to_the_max() {
        AdaptiveLimit limit = new AdaptiveLimit(3);
        limit.pushedBack(limit.cuts());
        assertThat(limit.current()).isEqualTo(1);

        limit.succeeded();
        assertThat(limit.current()).isEqualTo(2);
        limit.succeeded();
        assertThat(limit.current()).as("a window is as long as the limit").isEqualTo(2);
        limit.succeeded();
        assertThat(limit.current()).isEqualTo(3);
        for (int i = 0; i < 10; i++) {
            limit.succeeded();
        }
        assertThat(limit.current()).isEqualTo(3);
        assertThat(limit.history()).extracting(AdaptiveLimit.Change::limit).containsExactly(3, 1, 2, 3);
    }
}
