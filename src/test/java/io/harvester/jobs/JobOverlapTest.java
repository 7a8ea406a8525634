package io.harvester.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
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

    private static final String JOB = JobYaml.job("sync", "wait", "select pg_sleep(0.5)");

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
        first = HarvesterRuntime.start(work.resolve("a"), JOB, Map.of(), db);
        second = HarvesterRuntime.start(work.resolve("b"), JOB, Map.of(), db);

        for (int round = 1; round <= 20; round++) {
            CyclicBarrier together = new CyclicBarrier(2);
            Thread a = new Thread(() -> fireAt(together, first));
            Thread b = new Thread(() -> fireAt(together, second));
            a.start();
            b.start();
            a.join();
            b.join();
            List<Map<String, Object>> rows = first.query("select status from runs order by status");
            assertThat(rows).as("round %d", round).hasSize(2 * round);
            assertThat(first.query("select status, count(*) as n from runs group by status order by status"))
                    .as("round %d", round)
                    .containsExactly(Map.of("status", "completed", "n", (long) round), Map.of("status", "skipped", "n", (long) round));
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
