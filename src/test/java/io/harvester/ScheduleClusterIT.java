package io.harvester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.harvester.support.CronTicks;
import io.harvester.support.DaemonProcess;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.JobYaml;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Three real daemons on one database, one export and one job on a 2 s cron: Quartz's clustered store fires each
 * tick on one of them, and the ticks go on when the one that ran the latest is killed. The two tests (a cluster
 * and a database each) run side by side: they mostly wait for ticks.
 */
@Execution(ExecutionMode.CONCURRENT)
class ScheduleClusterIT {

    private static final String PIPELINE = "export:tick";
    private static final String JOB = "job:tick";
    private final List<DaemonProcess> daemons = new ArrayList<>();
    private FakeUpstream upstream;

    @AfterEach
    void stop() throws Exception {
        for (DaemonProcess daemon : daemons) {
            daemon.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void should_run_each_tick_once_across_three_daemons_for_twenty_seconds() throws Exception {
        startThreeDaemons();
        int before = ticks().size();
        await().atMost(Duration.ofSeconds(60)).until(() -> ticks().size() >= before + 10);
        for (DaemonProcess daemon : daemons) {
            daemon.process().destroy();
            assertThat(daemon.exitCodeWithin(60)).as("stopped on SIGTERM").isNotNull();
        }

        List<String> ticks = ticks();
        assertThat(ticks).as("ticks run, one entry per daemon that ran it").hasSizeGreaterThanOrEqualTo(10)
                .doesNotHaveDuplicates();
        assertThat(scheduledRuns()).as("one run (or skipped row) per tick, not one per daemon").isEqualTo(ticks.size());
        // a tick that found the previous run still live (a slow moment on 2 cores) is a skipped row and asks nothing
        assertThat(upstream.requests()).as("every tick's run (not its skipped rows) made its one request").isEqualTo(
                (Integer) daemons.get(0).query("select count(*)::int as n from runs where pipeline = '" + PIPELINE
                        + "' and status <> 'skipped'").get(0).get("n"));
        List<String> jobTicks = CronTicks.ran(JOB, daemons.stream().map(DaemonProcess::log).toArray(String[]::new));
        assertThat(jobTicks).as("the job's ticks, one entry per daemon that ran it").hasSizeGreaterThanOrEqualTo(8)
                .doesNotHaveDuplicates();
        assertThat(scheduledRuns(JOB)).as("one job run (or skipped row) per tick").isEqualTo(jobTicks.size());
        assertThat(daemons.get(0).query("select count(*)::int as n from qrtz_triggers where trigger_name = 'export_tick'"))
                .as("stopping daemons deleted no shared trigger").containsExactly(Map.of("n", 1));
    }

    @Test
    void should_keep_firing_on_the_others_when_the_daemon_that_ran_a_tick_is_killed() throws Exception {
        startThreeDaemons();
        await().atMost(Duration.ofSeconds(60)).until(() -> completedRuns() >= 2);
        // between two ticks, so that the victim has no run in flight: every tick it logged has its row
        long now = System.currentTimeMillis();
        Thread.sleep((3000 - now % 2000) % 2000);
        String owner = (String) daemons.get(0).query(
                "select owner from runs where status = 'completed' order by id desc limit 1").get(0).get("owner");
        DaemonProcess victim = daemons.stream().filter(d -> owner.endsWith(d.folder().toString())).findFirst().orElseThrow();
        List<DaemonProcess> survivors = daemons.stream().filter(d -> d != victim).toList();
        // only what the survivors log after the kill counts as its detection (a late check-in before it would not)
        Map<DaemonProcess, Integer> logBeforeKill = new java.util.HashMap<>();
        survivors.forEach(d -> logBeforeKill.put(d, d.log().length()));
        victim.process().destroyForcibly();
        assertThat(victim.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        int ranBeforeKill = ticks().size();

        await().atMost(Duration.ofSeconds(60)).until(() -> ticks().size() >= ranBeforeKill + 3);
        // Quartz takes the victim for dead after its check-in interval plus 7.5 s, whatever the ticks did meanwhile
        await().atMost(Duration.ofSeconds(60)).until(() -> survivors.stream()
                .map(d -> d.log().substring(logBeforeKill.get(d)))
                .anyMatch(log -> log.contains("failed or restarted instances")));
        for (DaemonProcess daemon : survivors) {
            daemon.process().destroy();
            assertThat(daemon.exitCodeWithin(60)).isNotNull();
        }

        List<String> ticks = ticks();
        assertThat(ticks).doesNotHaveDuplicates();
        assertThat(scheduledRuns()).isEqualTo(ticks.size());
        assertThat(CronTicks.ran(PIPELINE, victim.log())).as("ticks the killed daemon ran").hasSize(
                daemons.get(0).query("select id from runs where owner = '" + owner + "' and pipeline = '" + PIPELINE + "'").size());
        assertThat(survivors.stream().map(d -> d.log().substring(logBeforeKill.get(d))).toList())
                .as("Quartz found the killed daemon dead").anyMatch(log -> log.contains("failed or restarted instances"));
    }

    /** Three daemons on one database, each checking in every second: a dead one is found within about 9 s. */
    private void startThreeDaemons() {
        upstream = FakeUpstream.start().total(10);
        String routes = ExportYaml.exports().export("tick", upstream.url("/orders"),
                Map.of("pageSize", "100", "cron", "*/2 * * * * ?")).yaml();
        String db = null;
        for (int i = 0; i < 3; i++) {
            DaemonProcess daemon = DaemonProcess.prepare();
            daemon = db == null ? daemon.prod() : daemon.prod(db);
            db = daemon.dbUrl();
            daemons.add(daemon.routes("exports.camel.yaml", routes).routes("jobs.camel.yaml", JobYaml.job("tick", "one", "select 1")));
        }
        for (DaemonProcess daemon : daemons) {
            daemon.start("-Xmx384m", "-Dharvester.schedule.cluster-checkin-interval-ms=1000",
                    "-Dharvester.jobs.tick.cron=*/2 * * * * ?");
        }
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() ->
                daemons.stream().allMatch(d -> d.log().contains("(harvester) started in")));
    }

    private List<String> ticks() {
        return CronTicks.ran(PIPELINE, daemons.stream().map(DaemonProcess::log).toArray(String[]::new));
    }

    private int scheduledRuns() {
        return scheduledRuns(PIPELINE);
    }

    private int scheduledRuns(String pipeline) {
        return (Integer) daemons.get(0).query("select count(*)::int as n from runs where pipeline = '" + pipeline
                + "' and trigger = 'schedule'").get(0).get("n");
    }

    private int completedRuns() {
        return (Integer) daemons.get(0).query("select count(*)::int as n from runs where status = 'completed'").get(0).get("n");
    }
}
