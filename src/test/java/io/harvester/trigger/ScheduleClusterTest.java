package io.harvester.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.harvester.support.CronTicks;
import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two daemons in one JVM on one database play two nodes of a cluster: each tick of a cron runs once
 * between them, and one node stopping leaves the schedule to the other.
 */
@HarvesterDaemon(scope = HarvesterDaemon.Scope.METHOD)
class ScheduleClusterTest {

    DaemonScope daemons;

    /** Both daemons log to the test JVM's log file. */
    private static final Path LOG = Path.of(System.getProperty("harvester.log-dir"), "harvester.log");

    @TempDir
    Path work;

    @Test
    void should_fire_each_tick_once_across_two_daemons_and_keep_firing_when_one_stops() throws Exception {
        // the log file outlives this test (earlier tests, earlier builds): only what this test adds counts
        int logBefore = Files.exists(LOG) ? Files.readString(LOG).length() : 0;
        try (FakeUpstream upstream = FakeUpstream.start().total(10)) {
            String routes = ExportYaml.exports()
                    .export("tick", upstream.url("/orders"), Map.of("pageSize", "100", "cron", "0/2 * * * * ?")).yaml();
            HarvesterRuntime first = daemons.start(work.resolve("first"), routes, Map.of());
            HarvesterRuntime second = daemons.start(work.resolve("second"), routes, Map.of());
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> scheduledRuns(second) >= 4);
                first.close();
                int before = scheduledRuns(second);
                await().atMost(Duration.ofSeconds(30)).until(() -> scheduledRuns(second) >= before + 3);
            } finally {
                first.close();
                second.close();
            }

            List<String> ticks = CronTicks.ran("export:tick", Files.readString(LOG).substring(logBefore));
            assertThat(ticks).as("ticks run, one entry per instance running it").hasSizeGreaterThanOrEqualTo(7)
                    .doesNotHaveDuplicates();
            assertThat(scheduledRuns(second)).as("one run or skipped row per tick").isEqualTo(ticks.size());
            assertThat(second.query("select count(*)::int as n from qrtz_triggers where trigger_name = 'export_tick'")).as("the stop deleted no trigger")
                    .containsExactly(Map.of("n", 1));
        }
    }

    private static int scheduledRuns(HarvesterRuntime harvester) {
        return (Integer) harvester.query("select count(*)::int as n from runs where trigger = 'schedule'").get(0).get("n");
    }
}
