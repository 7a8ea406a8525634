package io.harvester.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.harvester.runs.RunLifecycle;
import io.harvester.runs.RunRepository;
import io.harvester.runs.RunStatus;
import io.harvester.support.DaemonScope;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.JobYaml;
import io.harvester.support.RunsApiClient;
import io.harvester.support.TestStorage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A run's end closes the step it finds running. A cancel that meets the next step's start (both wait on the
 * run's row, the start first) must still close that step: the end once read the steps as they were when its
 * statement began, before the start was written, and left the step running for good under a cancelled run.
 * The test lines the two up on the run's row, held by a lock of its own, and lets them go in that order.
 * A step written running after its run's end (a crawl's progress, checked before the end) is refused.
 */
@HarvesterDaemon
class StepStartCancelTest {

    static DaemonScope daemons;
    private static HarvesterRuntime harvester;
    private static RunsApiClient api;

    /** Its first step waits while the test holds advisory lock 42. */
    private static final String JOB = JobYaml.job("gated", "first", "select pg_advisory_xact_lock_shared(42)", "second", "select 1");

    @BeforeAll
    static void start() {
        harvester = daemons.start(JOB, Map.of("harvester.jobs.gated.cron", ""));
        api = new RunsApiClient(harvester);
    }

    @Test
    void should_close_the_step_whose_start_a_cancel_met() throws Exception {
        try (Connection gate = DriverManager.getConnection(daemons.database(), TestStorage.get().user(), "");
             Connection row = DriverManager.getConnection(daemons.database(), TestStorage.get().user(), "");
             Statement gateLock = gate.createStatement(); Statement rowLock = row.createStatement()) {
            gateLock.execute("select pg_advisory_lock(42)");
            long run = api.start("{\"pipeline\": \"job:gated\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> harvester.query(
                    "select 1 from run_steps where run_id = " + run + " and ordinal = 1 and status = 'running'").size() == 1);

            // the run's row held against updates only: the first step's end (a key-share fence) still goes through
            row.setAutoCommit(false);
            rowLock.execute("select 1 from runs where id = " + run + " for no key update");
            gateLock.execute("select pg_advisory_unlock(42)");
            awaitWaiting("update runs set current_step");
            CompletableFuture<String> cancel = CompletableFuture.supplyAsync(() -> {
                try {
                    return api.post("/api/runs/" + run + "/cancel", "");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            awaitWaiting("update runs set status");
            row.commit();

            assertThat(cancel.get()).startsWith("200 ");
            await().atMost(Duration.ofSeconds(10)).until(() -> harvester.context().getInflightRepository().size() == 0);
            assertThat(harvester.query("select status from runs where id = " + run)).containsExactly(Map.of("status", "cancelled"));
            assertThat(harvester.query("select name, status from run_steps where run_id = " + run + " order by ordinal"))
                    .containsExactly(Map.of("name", "first", "status", "completed"), Map.of("name", "second", "status", "cancelled"));
        }
    }

    @Test
    void should_not_write_a_step_running_once_its_run_has_ended() throws Exception {
        try (Connection gate = DriverManager.getConnection(daemons.database(), TestStorage.get().user(), "");
             Statement gateLock = gate.createStatement()) {
            gateLock.execute("select pg_advisory_lock(42)");
            long run = api.start("{\"pipeline\": \"job:gated\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> harvester.query(
                    "select 1 from run_steps where run_id = " + run + " and ordinal = 1 and status = 'running'").size() == 1);
            assertThat(api.post("/api/runs/" + run + "/cancel", "")).startsWith("200 ");
            gateLock.execute("select pg_advisory_unlock(42)");

            // a progress write (a crawl's) checked while the run was live and sent after its end
            RunRepository store = harvester.context().getRegistry().findSingleByType(RunLifecycle.class).store();
            store.steps().write(run, 1, "first", RunStatus.RUNNING, 7, Map.of("found", 7), null);
            await().atMost(Duration.ofSeconds(10)).until(() -> harvester.context().getInflightRepository().size() == 0);

            assertThat(harvester.query("select name, status, records from run_steps where run_id = " + run + " order by ordinal"))
                    .containsExactly(Map.of("name", "first", "status", "cancelled", "records", 0L),
                            Map.of("name", "second", "status", "pending", "records", 0L));
        }
    }

    /** Until a statement of the daemon's that contains {@code statement} waits on a lock. */
    private static void awaitWaiting(String statement) {
        await().atMost(Duration.ofSeconds(10)).until(() -> harvester.waitsOnLock(statement));
    }
}
