package io.harvester.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import javax.management.ObjectName;

import io.harvester.trigger.PipelineView;
import io.harvester.support.CronTicks;
import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.JobYaml;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.component.quartz.QuartzConstants;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.CronTrigger;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.TriggerKey;

/**
 * harvester.schedule.&lt;kind&gt;.&lt;name&gt;.cron and .misfire set a pipeline's schedule over its route's; a
 * key naming no pipeline, no setting, or a bad value stops start-up naming it.
 */
@HarvesterDaemon(scope = HarvesterDaemon.Scope.METHOD)
class SchedulePropertyOverrideTest {

    DaemonScope daemons;
    @TempDir
    Path work;
    HarvesterRuntime harvester;
    @AutoClose
    FakeUpstream upstream;

    /** The daemons log to the test JVM's log file. */
    private static final Path LOG = Path.of(System.getProperty("harvester.log-dir"), "harvester.log");
    private static final String YEARLY = "0 0 3 1 1 ?";
    private static final String EVERY_TWO_SECONDS = "0/2 * * * * ?";

    private String routes() {
        return ExportYaml.exports().export("ticker", upstream.url("/orders"), Map.of("pageSize", "100", "cron", YEARLY)).yaml();
    }

    @Test
    void should_fire_at_the_cron_of_the_property_instead_of_the_route_cron() throws Exception {
        upstream = FakeUpstream.start().total(10);
        // the log file outlives this test (earlier tests, earlier builds): only what this test adds counts
        int logBefore = Files.exists(LOG) ? Files.readString(LOG).length() : 0;
        harvester = daemons.start(work, routes(), Map.of("harvester.schedule.export.ticker.cron", EVERY_TWO_SECONDS,
                // a tick the loaded machine fires late still fires as the tick it is, not as a misfire "now"
                "harvester.schedule.misfire-threshold-ms", "60000"));

        TriggerEndpoint trigger = (TriggerEndpoint) harvester.context().getRoute("export-ticker").getEndpoint();
        assertThat(trigger.getCron()).isEqualTo(EVERY_TWO_SECONDS);
        Instant next = trigger.nextFireTime();
        assertThat(next).as("the next tick, not next January's").isBefore(Instant.now().plusSeconds(3));
        assertThat(next.getEpochSecond() % 2).isZero();
        assertThat(ManagementFactory.getPlatformMBeanServer().getAttribute(PipelineView.name("export:ticker"), "Cron")).isEqualTo(EVERY_TWO_SECONDS);

        await().atMost(Duration.ofSeconds(30)).until(() -> scheduledRuns() >= 3);
        harvester.close();

        List<Instant> ticks = CronTicks.ran("export:ticker", Files.readString(LOG).substring(logBefore)).stream()
                .map(Instant::parse).toList();
        assertThat(ticks).hasSizeGreaterThanOrEqualTo(3).doesNotHaveDuplicates()
                .allSatisfy(tick -> assertThat(tick.getEpochSecond() % 2 == 0 && tick.getNano() == 0)
                        .as("%s is a tick of %s", tick, EVERY_TWO_SECONDS).isTrue());
        assertThat(scheduledRuns()).as("one run per tick").isEqualTo(ticks.size());
    }

    @Test
    void should_refuse_to_start_with_a_property_for_an_unknown_pipeline_naming_the_closest_one() {
        upstream = FakeUpstream.start();
        assertThatThrownBy(() -> daemons.start(work, routes(), Map.of("harvester.schedule.export.tikcer.cron",
                EVERY_TWO_SECONDS))).hasStackTraceContaining("property harvester.schedule.export.tikcer.cron names pipeline"
                + " 'export:tikcer', which this daemon does not have (did you mean 'export:ticker'?) (pipelines:"
                + " [dispatch:generate, dispatch:sweep, export:ticker, system:retention])");
        assertThatThrownBy(() -> daemons.start(work, routes(), Map.of("harvester.schedule.export.ticker.crom",
                EVERY_TWO_SECONDS))).hasStackTraceContaining("property harvester.schedule.export.ticker.crom: a pipeline's"
                + " schedule has no setting 'crom' (did you mean 'cron'?) (settings: [cron, misfire])");
    }

    @Test
    void should_refuse_to_start_with_a_bad_cron_or_misfire_policy_naming_the_property() {
        upstream = FakeUpstream.start();
        assertThatThrownBy(() -> daemons.start(work, routes(), Map.of("harvester.schedule.export.ticker.cron",
                "every minute"))).hasStackTraceContaining("pipeline export:ticker: bad cron 'every minute' in"
                + " harvester.schedule.export.ticker.cron (Quartz syntax:");
        assertThatThrownBy(() -> daemons.start(work, routes(), Map.of("harvester.schedule.export.ticker.misfire",
                "catch-up"))).hasStackTraceContaining("harvester.schedule.export.ticker.misfire = 'catch-up' is not"
                + " fire-once-now or do-nothing");
    }

    @Test
    void should_run_on_demand_only_when_the_property_is_empty() {
        upstream = FakeUpstream.start().total(10);
        harvester = daemons.start(work, routes(), Map.of("harvester.schedule.export.ticker.cron", ""));

        TriggerEndpoint trigger = (TriggerEndpoint) harvester.context().getRoute("export-ticker").getEndpoint();
        assertThat(trigger.nextFireTime()).isNull();
        assertThat(harvester.query("select count(*)::int as n from qrtz_triggers")).containsExactly(Map.of("n", 0));
    }

    @Test
    void should_prefer_the_schedule_property_to_the_jobs_cron_property_of_a_job() throws Exception {
        harvester = daemons.start(work, JobYaml.job("sync", "one", "select 1"), Map.of(
                "harvester.jobs.sync.cron", "0 0 1 * * ?", "harvester.schedule.job.sync.cron", YEARLY));

        assertThat(ManagementFactory.getPlatformMBeanServer().getAttribute(PipelineView.name("job:sync"), "Cron")).isEqualTo(YEARLY);
        assertThat(ManagementFactory.getPlatformMBeanServer().getAttribute(new ObjectName("io.harvester:type=job,name=\"sync\""),
                "Cron")).as("the job's JMX view").isEqualTo(YEARLY);
        assertThat(harvester.query("select cron_expression from qrtz_cron_triggers where trigger_name = 'job_sync'"))
                .containsExactly(Map.of("cron_expression", YEARLY));
    }

    @Test
    void should_store_the_trigger_anew_when_the_misfire_policy_changes_between_starts() throws Exception {
        upstream = FakeUpstream.start();
        harvester = daemons.start(work.resolve("first"), routes(),
                Map.of("harvester.schedule.export.ticker.misfire", "do-nothing"));
        assertThat(storedTrigger().getMisfireInstruction()).isEqualTo(CronTrigger.MISFIRE_INSTRUCTION_DO_NOTHING);
        assertThat(ManagementFactory.getPlatformMBeanServer().getAttribute(
                PipelineView.name("export:ticker"), "Misfire")).isEqualTo("do-nothing");
        harvester.close();

        harvester = daemons.start(work.resolve("second"), routes(), Map.of());
        CronTrigger stored = storedTrigger();
        assertThat(stored.getMisfireInstruction()).isEqualTo(CronTrigger.MISFIRE_INSTRUCTION_FIRE_ONCE_NOW);
        assertThat(stored.getCronExpression()).isEqualTo(YEARLY);
        assertThat(scheduler().getJobDetail(new JobKey("export_ticker", CronSchedule.GROUP)).getJobDataMap()
                .getString(QuartzConstants.QUARTZ_ENDPOINT_URI)).as("the endpoint an instance without the route would make")
                .contains("trigger.misfireInstruction=1");
    }

    private CronTrigger storedTrigger() throws Exception {
        return (CronTrigger) scheduler().getTrigger(new TriggerKey("export_ticker", CronSchedule.GROUP));
    }

    private Scheduler scheduler() {
        return harvester.context().getComponent("quartz", QuartzComponent.class).getScheduler();
    }

    private int scheduledRuns() {
        return (Integer) harvester.query("select count(*)::int as n from runs where pipeline = 'export:ticker'"
                + " and trigger = 'schedule'").get(0).get("n");
    }
}
