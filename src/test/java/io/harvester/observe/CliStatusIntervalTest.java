package io.harvester.observe;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import io.harvester.support.DaemonScope;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.JobYaml;
import org.junit.jupiter.api.Test;

/** The CLI connector's status interval is refused at start below 100 ms, naming the knob (0 made Camel's scheduler throw). */
@HarvesterDaemon
class CliStatusIntervalTest {

    static DaemonScope daemons;

    @Test
    void should_refuse_a_status_interval_below_100_ms() {
        assertThatThrownBy(() -> daemons.start(JobYaml.job("idle", "s1", "select 1"),
                Map.of("harvester.jobs.idle.cron", "", "harvester.cli-connector.status-interval-ms", "0")))
                .hasMessageContaining("harvester.cli-connector.status-interval-ms = 0: at least 100 (ms)");
    }
}
