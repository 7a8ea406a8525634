package io.harvester.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.Date;
import java.util.Map;

import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import org.apache.camel.component.quartz.QuartzComponent;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.quartz.CronExpression;
import org.quartz.Scheduler;
import org.quartz.Trigger;
import org.quartz.TriggerKey;

/**
 * Ticks missed while the scheduler stood by cost exactly one late run with misfire fire-once-now and none
 * with do-nothing, never one run per tick missed.
 */
@HarvesterDaemon(scope = HarvesterDaemon.Scope.METHOD)
class ScheduleMisfireTest {

    DaemonScope daemons;
    HarvesterRuntime harvester;
    @AutoClose
    FakeUpstream upstream;

    private static final TriggerKey TRIGGER = new TriggerKey("export_late", CronSchedule.GROUP);

    @Test
    void should_run_once_for_the_missed_ticks_with_fire_once_now() throws Exception {
        assertThat(runsAfterMissedTicks("fire-once-now")).isEqualTo(1);
        assertThat(harvester.query("select trigger, status from runs"))
                .containsExactly(Map.of("trigger", "schedule", "status", "completed"));
    }

    @Test
    void should_not_run_for_the_missed_ticks_with_do_nothing() throws Exception {
        assertThat(runsAfterMissedTicks("do-nothing")).isZero();
    }

    /**
     * A cron of three ticks a minute, in a window of seconds soon after start-up, passes while the
     * scheduler has not started yet; the scheduler then starts with the next window almost a minute away,
     * so every run until then is a late run for the missed ones. Counts the runs once the misfire is settled.
     */
    private int runsAfterMissedTicks(String misfire) throws Exception {
        upstream = FakeUpstream.start().total(10);
        int from = (LocalTime.now().getSecond() + 12) % 60;
        from = from > 57 ? 0 : from;
        CronExpression cron = new CronExpression(from + "-" + (from + 2) + " * * * * ?");
        harvester = daemons.start(ExportYaml.exports().export("late", upstream.url("/orders"),
                Map.of("pageSize", "100")).yaml(), Map.of(
                "harvester.schedule.export.late.cron", cron.getCronExpression(),
                "harvester.schedule.export.late.misfire", misfire,
                "harvester.schedule.misfire-threshold-ms", "1000",
                // the test starts the scheduler itself, once the ticks have passed
                "camel.component.quartz.auto-start-scheduler", "false"));
        Scheduler scheduler = harvester.context().getComponent("quartz", QuartzComponent.class).getScheduler();
        // the last tick of the window and the misfire threshold (1 s) past, with a second to spare
        Instant window = nextFireTime(scheduler);
        Instant missed = window.plusSeconds(2 - window.getEpochSecond() % 60 + from).plusMillis(1000 + 1000);
        await().atMost(Duration.ofSeconds(75)).pollInterval(Duration.ofMillis(200)).until(() -> Instant.now().isAfter(missed));
        assertThat(scheduler.isInStandbyMode()).isTrue();
        assertThat(runs()).isZero();

        scheduler.start();
        Instant nextWindow = cron.getNextValidTimeAfter(Date.from(missed)).toInstant();
        // settled: the store's next tick is the next window's, and no fire of the trigger is in flight
        await().atMost(Duration.ofSeconds(40)).until(() -> nextWindow.equals(nextFireTime(scheduler)) && firesInFlight() == 0);
        return runs();
    }

    private static Instant nextFireTime(Scheduler scheduler) throws Exception {
        Trigger trigger = scheduler.getTrigger(TRIGGER);
        return trigger.getNextFireTime().toInstant();
    }

    private int firesInFlight() {
        return (Integer) harvester.query("select count(*)::int as n from qrtz_fired_triggers where trigger_name = '"
                + TRIGGER.getName() + "'").get(0).get("n");
    }

    private int runs() {
        return (Integer) harvester.query("select count(*)::int as n from runs where pipeline = 'export:late'").get(0).get("n");
    }
}
