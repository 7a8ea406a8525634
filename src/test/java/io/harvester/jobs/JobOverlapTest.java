package io.harvester.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;

import io.harvester.support.HarvesterRuntime;
import io.harvester.support.JobYaml;
import io.harvester.support.TestStorage;
import io.harvester.trigger.TriggerKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two Harvester instances on one database never run a job at once, whoever fires first. */
class JobOverlapTest {

    /** Its one step waits while the test holds advisory lock 42, so a run stays live as long as the test needs. */
    private static final String JOB = JobYaml.job("sync", "wait", "select pg_advisory_xact_lock_shared(42)");
    private static final Map<String, String> ON_DEMAND = Map.of("harvester.jobs.sync.cron", "");

    @TempDir
    Path work;
    private HarvesterRuntime first;
    private HarvesterRuntime second;

    @AfterEach
    void stop() {
        if (second != null) {
            second.close();
        }
        if (first != null) {
            first.close();
        }
    }

    @Test
    void should_run_a_job_fired_on_two_instances_at_the_same_moment_exactly_once_each_time() throws Exception {
        String db = TestStorage.get().newDatabase();
        first = HarvesterRuntime.start(work.resolve("a"), JOB, ON_DEMAND, db);
        second = HarvesterRuntime.start(work.resolve("b"), JOB, ON_DEMAND, db);

        try (Connection gate = DriverManager.getConnection(db, TestStorage.get().user(), "");
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

    private static void fireAt(CyclicBarrier together, HarvesterRuntime instance) {
        try {
            together.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        instance.fire("job:sync", TriggerKind.SCHEDULE, Map.of());
    }
}
