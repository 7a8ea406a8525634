package io.harvester.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;

import io.harvester.support.DaemonScope;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.JobYaml;
import io.harvester.support.TestStorage;
import io.harvester.runs.TriggerKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two Harvester instances on one database never run a job at once, whoever fires first. */
@HarvesterDaemon(scope = HarvesterDaemon.Scope.METHOD)
class JobOverlapTest {

    DaemonScope daemons;

    /** Its one step waits while the test holds advisory lock 42, so a run stays live as long as the test needs. */
    private static final String JOB = JobYaml.job("sync", "wait", "select pg_advisory_xact_lock_shared(42)");
    private static final Map<String, String> ON_DEMAND = Map.of("harvester.jobs.sync.cron", "");

    @TempDir
    Path work;
    private HarvesterRuntime first;
    private HarvesterRuntime second;

    @Test
    void should_run_a_job_fired_on_two_instances_at_the_same_moment_exactly_once_each_time() throws Exception {
        first = daemons.start(work.resolve("a"), JOB, ON_DEMAND);
        second = daemons.start(work.resolve("b"), JOB, ON_DEMAND);

        try (Connection gate = DriverManager.getConnection(daemons.database(), TestStorage.get().user(), "");
             Statement lock = gate.createStatement()) {
            for (int round = 1; round <= 20; round++) {
                lock.execute("select pg_advisory_lock(42)");
                CyclicBarrier together = new CyclicBarrier(2);
                Thread a = new Thread(() -> fireAt(together, first));
                Thread b = new Thread(() -> fireAt(together, second));
                a.start();
                b.start();
                // whichever came second found the first's run live and was skipped; then the run may end
                int skipped = round;
                await().atMost(Duration.ofSeconds(10)).until(() -> first.query(
                        "select 1 from runs where status = 'skipped'").size() == skipped);
                lock.execute("select pg_advisory_unlock(42)");
                a.join();
                b.join();
                assertThat(first.query("select status from runs")).as("round %d", round).hasSize(2 * round);
                assertThat(first.query("select status, count(*) as n from runs group by status order by status"))
                        .as("round %d", round).containsExactly(Map.of("status", "completed", "n", (long) round),
                                Map.of("status", "skipped", "n", (long) round));
            }
        }
    }

    @Test
    void should_have_the_owner_stop_a_stuck_run_before_another_instance_starts_the_next() throws Exception {
        String job = JobYaml.job("slow", "nap", "select pg_sleep(sleep) from nap", "done", "select 1");
        Map<String, String> fast = Map.of("harvester.jobs.slow.cron", "", "harvester.jobs.slow.max-duration", "1s",
                "harvester.runs.heartbeat-interval-ms", "200");
        first = daemons.start(work.resolve("a"), job, fast);
        second = daemons.start(work.resolve("b"), job, fast);
        first.execute("create table nap (sleep float8 not null); insert into nap values (600)");

        Thread owner = new Thread(() -> first.fire("job:slow", TriggerKind.SCHEDULE, Map.of()));
        owner.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !first.query("select 1 from runs where status = 'running'"
                + " and started_at < now() - interval '1200 milliseconds'").isEmpty());
        second.fire("job:slow", TriggerKind.SCHEDULE, Map.of());
        first.execute("update nap set sleep = 0");
        second.fire("job:slow", TriggerKind.SCHEDULE, Map.of());

        owner.join(10_000);
        assertThat(owner.isAlive()).as("the owner's step let go: its statement was cancelled there").isFalse();
        List<Map<String, Object>> runs = first.query("select id, status, error, cancel_requested, resumed_from from runs order by id");
        assertThat(runs).extracting(r -> r.get("status")).containsExactly("abandoned", "skipped", "completed");
        assertThat((String) runs.get(0).get("error")).startsWith("abandoned: stuck (running for ")
                .endsWith("; cancelled by the trigger after 1 skipped trigger(s)");
        assertThat(runs.get(0).get("cancel_requested")).as("the owner confirmed the stop").isNull();
        assertThat(runs.get(2).get("resumed_from")).isEqualTo(runs.get(0).get("id"));
        assertThat(first.query("select name, status from run_steps where run_id = " + runs.get(0).get("id") + " order by ordinal"))
                .containsExactly(Map.of("name", "nap", "status", "cancelled"), Map.of("name", "done", "status", "pending"));
    }

    private static void fireAt(CyclicBarrier together, HarvesterRuntime instance) {
        try {
            together.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        instance.fire("job:sync", TriggerKind.SCHEDULE, Map.of());
    }
}
