package io.harvester.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** Cron triggers start runs; a trigger that fires while a run is live is recorded as skipped; a bad cron stops start-up. */
@HarvesterDaemon(scope = HarvesterDaemon.Scope.METHOD)
class ScheduleTest {

    DaemonScope daemons;
    HarvesterRuntime harvester;
    @AutoClose
    FakeUpstream upstream;

    @Test
    void should_skip_a_scheduled_trigger_while_the_previous_run_is_live() {
        upstream = FakeUpstream.start().total(10).latencyMs(1600);
        harvester = daemons.start(ExportYaml.exports()
                .export("ticker", upstream.url("/orders"), Map.of("pageSize", "100", "cron", "0/1 * * * * ?"))
                .yaml(), Map.of());

        await().atMost(Duration.ofSeconds(15)).until(() ->
                harvester.query("select 1 from runs where pipeline = 'export:ticker' and status = 'completed'").size() >= 2
                        && harvester.query("select 1 from runs where status = 'skipped'").size() >= 2);
        harvester.close();

        List<Map<String, Object>> runs = harvester.query("select * from runs order by id");
        assertThat(runs).allSatisfy(run -> assertThat(run.get("trigger")).isEqualTo("schedule"));
        assertThat(runs).filteredOn(run -> "skipped".equals(run.get("status"))).allSatisfy(run ->
                assertThat((String) run.get("error")).matches("skipped: run \\d+ of export:ticker is still in progress"));
        // every request belonged to a run that was not skipped: runs never overlapped
        long started = runs.stream().filter(run -> !"skipped".equals(run.get("status"))).count();
        assertThat(upstream.requests()).isEqualTo((int) started);
    }

    @Test
    void should_refuse_to_start_with_a_bad_cron_naming_the_pipeline() {
        upstream = FakeUpstream.start();
        String routes = ExportYaml.exports()
                .export("badcron", upstream.url("/orders"), Map.of("cron", "every minute"))
                .yaml();

        assertThatThrownBy(() -> daemons.start(routes, Map.of()))
                .hasStackTraceContaining("pipeline export:badcron: bad cron 'every minute' (Quartz syntax:")
                .rootCause().isInstanceOf(java.text.ParseException.class);
    }
}
