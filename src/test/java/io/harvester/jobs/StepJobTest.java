package io.harvester.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.management.MBeanException;
import javax.management.ObjectName;

import io.harvester.support.DaemonScope;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.JobYaml;
import io.harvester.runs.TriggerKind;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

/** Step jobs on a real Camel context and PostgreSQL: tracking, the failure policy, resume, single steps. */
@HarvesterDaemon(scope = HarvesterDaemon.Scope.METHOD)
class StepJobTest {

    DaemonScope daemons;
    HarvesterRuntime harvester;

    /** Five steps; s3 divides by zero while job_switch.ok is 0, s2 and s4 sleep while job_switch.sleep is set. */
    private static final String FLAKY = JobYaml.job("flaky",
            "s1", "insert into job_effects (step) values ('s1')",
            "s2", "insert into job_effects (step) select 's2' from job_switch where pg_sleep(sleep) is not null",
            "s3", "insert into job_effects (step) select 's3' from job_switch where 1 / ok = 1",
            "s4", "insert into job_effects (step) select 's4' from job_switch where pg_sleep(sleep) is not null",
            "s5", "insert into job_effects (step) values ('s5')");

    private void start(String routes, Map<String, String> properties) {
        // on demand only: a scheduled tick of the default cron would add a run to the exact counts
        Map<String, String> all = new java.util.HashMap<>(properties);
        all.put("harvester.demo.run-at-startup", "false");
        for (String job : new String[] {"flaky", "test-results-sync"}) {
            if (routes.contains("trigger:job:" + job)) {
                all.put("harvester.jobs." + job + ".cron", "");
            }
        }
        harvester = daemons.start(routes, all);
        harvester.execute("""
                create table job_effects (step text not null);
                create table job_switch (ok integer not null, sleep float8 not null);
                insert into job_switch values (1, 0)""");
    }

    private Exchange tick(String job) {
        return harvester.fire("job:" + job, TriggerKind.SCHEDULE, Map.of());
    }

    private List<Map<String, Object>> steps(long run) {
        return harvester.query("select ordinal, name, status, attempt, records, error from run_steps where run_id = " + run
                + " order by ordinal");
    }

    private static Map<String, Object> step(int ordinal, String name, String status, int attempt, long records, String error) {
        Map<String, Object> row = new java.util.LinkedHashMap<>();
        row.put("ordinal", ordinal);
        row.put("name", name);
        row.put("status", status);
        row.put("attempt", attempt);
        row.put("records", records);
        row.put("error", error);
        return row;
    }

    @Test
    void should_run_the_demo_job_eight_steps_in_order_with_the_rows_each_affected() throws Exception {
        start(Files.readString(Path.of("routes/demo/test-results-sync.camel.yaml")), Map.of());

        tick("test-results-sync");

        Map<String, Object> run = harvester.query("select id, status, progress, error, trigger from runs"
                + " where pipeline = 'job:test-results-sync'").get(0);
        assertThat(run).containsEntry("status", "completed").containsEntry("progress", 100).containsEntry("trigger", "schedule");
        assertThat(steps((Long) run.get("id"))).containsExactly(
                step(1, "c_version_uri_insert", "completed", 1, 2, null),
                step(2, "c_testcase_insert", "completed", 1, 6, null),
                step(3, "b_testcase_insert", "completed", 1, 4, null),
                step(4, "c_testitem_insert", "completed", 1, 24, null),
                step(5, "b_testitem_insert", "completed", 1, 12, null),
                step(6, "data_deletion", "completed", 1, 26, null),
                step(7, "c_failure_reason_save", "completed", 1, 6, null),
                step(8, "b_failure_reason_save", "completed", 1, 4, null));
        assertThat(harvester.query("""
                select (select count(*) from demo.version_uris) as versions,
                       (select count(*) from demo.c_testcases) as c_cases, (select count(*) from demo.b_testcases) as b_cases,
                       (select count(*) from demo.c_testitems) as c_items, (select count(*) from demo.b_testitems) as b_items,
                       (select count(*) from demo.c_testitems where result = 'fail') as c_failed,
                       (select count(*) from demo.stg_test_results) as staged,
                       (select count(*) from demo.c_failure_reasons) as c_reasons,
                       (select count(*) from demo.b_failure_reasons) as b_reasons""").get(0)).isEqualTo(Map.of(
                "versions", 2L, "c_cases", 6L, "b_cases", 4L, "c_items", 24L, "b_items", 12L, "c_failed", 6L,
                "staged", 10L, "c_reasons", 6L, "b_reasons", 4L));
        assertThat(harvester.query("select reason from demo.c_failure_reasons r join demo.c_testcases t on t.id = r.testcase_id"
                + " where t.name = 'c-login' and t.version_uri = 'git://demo/app@1.0'"))
                .containsExactly(Map.of("reason", "timeout after 30 s in c-login"));
    }

    @Test
    void should_skip_the_trigger_after_a_failed_run_then_resume_from_the_failed_step() {
        start(FLAKY, Map.of());
        harvester.execute("update job_switch set ok = 0");

        tick("flaky");
        Map<String, Object> failed = harvester.query("select id, status, error from runs where pipeline = 'job:flaky'").get(0);
        long first = (Long) failed.get("id");
        assertThat(failed).containsEntry("status", "failed").containsEntry("error", "step s3 failed: ERROR: division by zero");
        assertThat(steps(first)).containsExactly(
                step(1, "s1", "completed", 1, 1, null),
                step(2, "s2", "completed", 1, 1, null),
                step(3, "s3", "failed", 1, 0, "ERROR: division by zero"),
                step(4, "s4", "pending", 1, 0, null),
                step(5, "s5", "pending", 1, 0, null));

        harvester.execute("update job_switch set ok = 1");
        tick("flaky");
        assertThat(harvester.query("select status, error, blocked_by from runs where id > " + first + " order by id"))
                .containsExactly(Map.of("status", "skipped", "error", "skipped: previous run " + first + " failed; skipping once",
                        "blocked_by", first));

        tick("flaky");
        Map<String, Object> resumed = harvester.query("select id, status, resumed_from from runs where id > " + (first + 1)).get(0);
        assertThat(resumed).containsEntry("status", "completed").containsEntry("resumed_from", first);
        long third = (Long) resumed.get("id");
        assertThat(steps(third)).containsExactly(
                step(1, "s1", "skipped", 1, 0, null),
                step(2, "s2", "skipped", 1, 0, null),
                step(3, "s3", "completed", 2, 1, null),
                step(4, "s4", "completed", 1, 1, null),
                step(5, "s5", "completed", 1, 1, null));
        assertThat(harvester.query("select result ->> 'completedIn' as completed_in from run_steps where run_id = " + third
                + " and status = 'skipped' order by ordinal"))
                .containsExactly(Map.of("completed_in", String.valueOf(first)), Map.of("completed_in", String.valueOf(first)));
        // steps 1 and 2 did their work once, in the failed run
        assertThat(harvester.query("select step, count(*) as n from job_effects group by step order by step")).containsExactly(
                Map.of("step", "s1", "n", 1L), Map.of("step", "s2", "n", 1L), Map.of("step", "s3", "n", 1L),
                Map.of("step", "s4", "n", 1L), Map.of("step", "s5", "n", 1L));

        // a completed run is not resumed: the next tick runs every step
        tick("flaky");
        assertThat(harvester.query("select status, resumed_from from runs where id > " + third))
                .containsExactly(java.util.Collections.unmodifiableMap(new java.util.HashMap<>() {{
                    put("status", "completed");
                    put("resumed_from", null);
                }}));
        assertThat(harvester.query("select count(*) as n from job_effects")).containsExactly(Map.of("n", 10L));
    }

    /** Job flaky (max-duration 1 s) ticked on a thread of its own, its step s2 held past max-duration: the thread. */
    private Thread stuckOnS2() {
        start(FLAKY, Map.of("harvester.jobs.flaky.max-duration", "1s"));
        harvester.execute("update job_switch set sleep = 60");
        Thread first = new Thread(() -> tick("flaky"));
        first.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !harvester.query("select 1 from runs r join run_steps s on s.run_id = r.id"
                + " where r.status = 'running' and s.name = 's2' and s.status = 'running'"
                + " and r.started_at < now() - interval '1200 milliseconds'").isEmpty());
        return first;
    }

    @Test
    void should_cancel_a_stuck_run_on_the_second_trigger_and_resume_it() throws Exception {
        Thread first = stuckOnS2();
        long stuck = (Long) harvester.query("select id from runs where status = 'running'").get(0).get("id");

        tick("flaky");
        Map<String, Object> skipped = harvester.query("select status, error from runs where id > " + stuck).get(0);
        assertThat(skipped.get("status")).isEqualTo("skipped");
        assertThat((String) skipped.get("error")).startsWith("skipped: previous run " + stuck + " stuck (running for ")
                .endsWith(" s, max-duration PT1S); skipping once");

        harvester.execute("update job_switch set sleep = 0");
        tick("flaky");
        first.join(5_000);
        assertThat(first.isAlive()).as("the stuck run's thread is free: its statement was cancelled").isFalse();
        Map<String, Object> old = harvester.query("select status, error from runs where id = " + stuck).get(0);
        assertThat(old.get("status")).isEqualTo("abandoned");
        assertThat((String) old.get("error")).startsWith("abandoned: stuck (running for ")
                .endsWith("; cancelled by the trigger after 1 skipped trigger(s)");
        assertThat(steps(stuck)).extracting(r -> r.get("name") + "=" + r.get("status"))
                .containsExactly("s1=completed", "s2=cancelled", "s3=pending", "s4=pending", "s5=pending");
        Map<String, Object> fresh = harvester.query("select id, status, resumed_from from runs where id > " + (stuck + 1)).get(0);
        assertThat(fresh).containsEntry("status", "completed").containsEntry("resumed_from", stuck);
        assertThat(steps((Long) fresh.get("id"))).extracting(r -> r.get("name") + "=" + r.get("status") + "#" + r.get("attempt"))
                .containsExactly("s1=skipped#1", "s2=completed#2", "s3=completed#1", "s4=completed#1", "s5=completed#1");
        assertThat(harvester.query("select step from job_effects order by step")).extracting(r -> r.get("step"))
                .containsExactly("s1", "s2", "s3", "s4", "s5");
    }

    @Test
    void should_cancel_a_stuck_run_by_jmx_run_now_and_return_the_new_run_id() throws Exception {
        Thread first = stuckOnS2();
        long stuck = (Long) harvester.query("select id from runs where status = 'running'").get(0).get("id");
        harvester.execute("update job_switch set sleep = 0");

        long fresh = (Long) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("io.harvester:type=job,name=\"flaky\""), "runNow", new Object[0], new String[0]);

        first.join(5_000);
        assertThat(first.isAlive()).as("the stuck run's thread is free: its statement was cancelled").isFalse();
        Map<String, Object> old = harvester.query("select status, error from runs where id = " + stuck).get(0);
        assertThat(old.get("status")).isEqualTo("abandoned");
        assertThat((String) old.get("error")).startsWith("abandoned: stuck (running for ")
                .endsWith(" s, max-duration PT1S); cancelled by a manual start");
        await().atMost(Duration.ofSeconds(10)).until(() -> harvester.query("select status from runs where id = " + fresh)
                .get(0).get("status"), "completed"::equals);
        assertThat(harvester.query("select id, trigger, resumed_from from runs where id <> " + stuck + " order by id"))
                .containsExactly(Map.of("id", fresh, "trigger", "manual", "resumed_from", stuck));
        assertThat(steps(fresh)).extracting(r -> r.get("name") + "=" + r.get("status") + "#" + r.get("attempt"))
                .containsExactly("s1=skipped#1", "s2=completed#2", "s3=completed#1", "s4=completed#1", "s5=completed#1");
    }

    @Test
    void should_refuse_jmx_run_now_beside_a_healthy_live_run_recording_nothing() throws Exception {
        start(FLAKY, Map.of());
        harvester.execute("update job_switch set sleep = 60");
        Thread first = new Thread(() -> tick("flaky"));
        first.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !harvester.query(
                "select 1 from run_steps where name = 's2' and status = 'running'").isEmpty());
        long live = (Long) harvester.query("select id from runs where status = 'running'").get(0).get("id");
        ObjectName view = new ObjectName("io.harvester:type=job,name=\"flaky\"");

        assertThatThrownBy(() -> ManagementFactory.getPlatformMBeanServer().invoke(view, "runNow", new Object[0], new String[0]))
                .isInstanceOf(MBeanException.class).cause().hasMessage("pipeline job:flaky is running: run " + live);

        assertThat(harvester.query("select id, status from runs")).containsExactly(Map.of("id", live, "status", "running"));
        ManagementFactory.getPlatformMBeanServer().invoke(view, "cancel", new Object[0], new String[0]);
        first.join(5_000);
        assertThat(first.isAlive()).isFalse();
    }

    @Test
    void should_run_one_named_step_as_a_run_of_its_own_by_header_and_over_jmx() throws Exception {
        start(FLAKY, Map.of());

        Exchange exchange = harvester.fire("job:flaky", TriggerKind.API, Map.of(JobExecution.STEP_HEADER, "s4"));
        assertThat(exchange.getException()).isNull();
        Map<String, Object> run = harvester.query("select id, status, params ->> 'step' as step from runs").get(0);
        assertThat(run).containsEntry("status", "completed").containsEntry("step", "s4");
        assertThat(steps((Long) run.get("id"))).containsExactly(step(4, "s4", "completed", 1, 1, null));
        assertThat(harvester.query("select step from job_effects")).containsExactly(Map.of("step", "s4"));

        ObjectName view = new ObjectName("io.harvester:type=job,name=\"flaky\"");
        long id = (Long) ManagementFactory.getPlatformMBeanServer().invoke(view, "runStep", new Object[] {"s1"},
                new String[] {String.class.getName()});
        await().atMost(Duration.ofSeconds(10)).until(() -> harvester.query("select 1 from runs where status = 'completed'").size() == 2);
        assertThat(harvester.query("select trigger, params ->> 'step' as step from runs where id = " + id))
                .containsExactly(Map.of("trigger", "manual", "step", "s1"));
        assertThat((String[]) ManagementFactory.getPlatformMBeanServer().getAttribute(view, "Steps"))
                .containsExactly("s1", "s2", "s3", "s4", "s5");

        Exchange unknown = harvester.fire("job:flaky", TriggerKind.API, Map.of(JobExecution.STEP_HEADER, "cleanup"));
        assertThat(unknown.getException()).hasMessage("job flaky has no step 'cleanup' (steps: [s1, s2, s3, s4, s5])");
        assertThat(harvester.query("select count(*) as n from runs")).containsExactly(Map.of("n", 2L));
    }

    @Test
    void should_let_a_manual_start_bypass_the_skip_and_cancel_over_jmx() throws Exception {
        start(FLAKY, Map.of());
        harvester.execute("update job_switch set ok = 0");
        tick("flaky");
        harvester.execute("update job_switch set ok = 1, sleep = 60");

        Thread manual = new Thread(() -> harvester.fire("job:flaky", TriggerKind.MANUAL, Map.of()));
        manual.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !harvester.query(
                "select 1 from run_steps where name = 's4' and status = 'running'").isEmpty());
        // the manual start did not wait for a skipped trigger; it resumed the failed run at s3, and s4 sleeps
        Object answer = ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("io.harvester:type=job,name=\"flaky\""), "cancel", new Object[0], new String[0]);
        assertThat(answer).asString().matches("run \\d+ of job:flaky cancelled");
        manual.join(5_000);
        assertThat(manual.isAlive()).isFalse();
        assertThat(harvester.query("select status, error from runs order by id")).containsExactly(
                Map.of("status", "failed", "error", "step s3 failed: ERROR: division by zero"),
                Map.of("status", "cancelled", "error", "cancelled over JMX"));
    }

    @Test
    void should_keep_the_job_view_while_its_route_is_stopped_and_drop_it_with_the_route() throws Exception {
        start(FLAKY, Map.of());
        ObjectName view = new ObjectName("io.harvester:type=job,name=\"flaky\"");
        javax.management.MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        harvester.context().getRouteController().stopRoute("job-flaky");
        assertThat(jmx.getAttribute(view, "State")).isEqualTo("Stopped");
        assertThatThrownBy(() -> jmx.invoke(view, "runNow", null, null))
                .isInstanceOf(MBeanException.class).cause().hasMessage("pipeline job:flaky is stopped");
        assertThat(harvester.query("select 1 from runs")).isEmpty();

        harvester.context().getRouteController().startRoute("job-flaky");
        assertThat(jmx.getAttribute(view, "State")).isEqualTo("idle");
        harvester.context().getRouteController().stopRoute("job-flaky");
        harvester.context().removeRoute("job-flaky");
        assertThat(jmx.isRegistered(view)).isFalse();
    }
}
