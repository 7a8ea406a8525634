package io.harvester.trigger;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The lease's settings are refused at start-up when they would make live instances take each other's runs. */
class TakeoverConfigurationTest {

    @Test
    void should_refuse_a_lease_of_fewer_than_three_heartbeats_and_a_negative_max_takeovers() {
        assertThatCode(() -> TakeoverConfiguration.check(5000, 30000, 3)).doesNotThrowAnyException();
        assertThatCode(() -> TakeoverConfiguration.check(1000, 3000, 0)).doesNotThrowAnyException();
        assertThatThrownBy(() -> TakeoverConfiguration.check(5000, 10000, 3)).hasMessage("harvester.cluster.lease = 10000 ms"
                + " must be at least three harvester.cluster.heartbeat (5000 ms): a late beat would make a live instance look dead");
        assertThatThrownBy(() -> TakeoverConfiguration.check(5000, 30000, -1))
                .hasMessage("harvester.cluster.max-takeovers = -1 must be 0 or more");
    }
}
