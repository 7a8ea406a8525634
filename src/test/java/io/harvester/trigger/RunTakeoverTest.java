package io.harvester.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.harvester.infra.InstanceId;
import io.harvester.support.CrawlYaml;
import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.JobYaml;
import io.harvester.support.RunsApiClient;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs of a dead instance (its lease long gone: a row in instances that last beat in 2020) are taken over by
 * this one, which runs their pipelines: the same run goes on and completes here, counted, logged, owned here
 * (an export from its first page, a crawl, a job from the step that was running); one taken over too often
 * ends failed. Two instances killed for real are TakeoverIT's.
 */
@HarvesterDaemon
class RunTakeoverTest {

    static DaemonScope daemons;
    private static HarvesterRuntime harvester;
    @AutoClose
    static FakeUpstream orders;
    @AutoClose
    static FakeUpstream tree;

    @BeforeAll
    static void start() {
        orders = FakeUpstream.start().total(250);
        tree = FakeUpstream.start().tree(3, 3);
        String routes = ExportYaml.exports()
                .export("orders", orders.url("/orders"), Map.of("pageSize", "100"))
                .export("poison", orders.url("/orders"), Map.of("pageSize", "100"))
                .export("stopped", orders.url("/orders"), Map.of("pageSize", "100"))
                .export("keyed", orders.url("/orders"), Map.of("pageSize", "100", "overridable", "url"))
                .yaml()
                + CrawlYaml.crawl("tree", tree.url("/tree"), Map.of("depth", "3")).yaml()
                + JobYaml.job("sync",
                        "s1", "insert into job_effects (step) values ('s1')",
                        "s2", "insert into job_effects (step) values ('s2')",
                        "s3", "insert into job_effects (step) values ('s3')");
        harvester = daemons.start(routes, Map.of("harvester.cluster.heartbeat", "100ms", "harvester.cluster.lease", "1s",
                "harvester.jobs.sync.cron", ""));
        harvester.execute("create table job_effects (step text not null)");
        try {
            harvester.context().getRouteController().stopRoute("export-stopped");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        harvester.execute("insert into instances (id, host, started_at, heartbeat_at) values"
                + " ('node-dead', 'gone', '2020-01-01T00:00:00Z', '2020-01-01T00:05:00Z')");
    }

    private static void deadRun(long id, String pipeline, int takeovers) {
        deadRun(id, pipeline, takeovers, "");
    }

    /** A dead instance's run and {@code rowsOfIt} (its step rows), in one transaction: a takeover sees both or neither. */
    private static void deadRun(long id, String pipeline, int takeovers, String rowsOfIt) {
        harvester.execute("insert into runs (id, pipeline, status, trigger, params, owner, created_at, started_at, takeovers)"
                + " values (" + id + ", '" + pipeline + "', 'running', 'schedule', '{}', 'node-dead', now(), now(), " + takeovers + ");"
                + rowsOfIt);
    }

    private static Map<String, Object> run(long id) {
        return harvester.query("select status, owner, takeovers, coalesce(error, '') as error from runs where id = " + id).get(0);
    }

    @Test
    void should_continue_a_dead_instances_export_as_the_same_run() throws Exception {
        deadRun(5001, "export:orders", 0);

        await().atMost(Duration.ofSeconds(20)).until(() -> run(5001).get("status").equals("completed"));
        assertThat(run(5001)).isEqualTo(Map.of("status", "completed", "owner", InstanceId.get(), "takeovers", 1, "error", ""));
        assertThat(harvester.query("select level, message from run_logs where run_id = 5001 and message like 'taken over%'"))
                .containsExactly(Map.of("level", "WARN", "message", "taken over by instance " + InstanceId.get()
                        + ": instance node-dead silent since 2020-01-01 00:05:00 UTC"));
        assertThat(harvester.csvFiles("orders")).hasSize(1);
        assertThat(harvester.query("select rows from run_outputs where \"primary\" and run_id = 5001"))
                .containsExactly(Map.of("rows", 250L));
        assertThat(orders.requests()).isEqualTo(3);
        assertThat(harvester.query("select count(*) as n from runs where pipeline = 'export:orders'"))
                .containsExactly(Map.of("n", 1L));
        assertThat(new RunsApiClient(harvester).get("/observe/metrics"))
                .containsPattern("(?m)^harvester_takeovers_total\\{pipeline=\"export:orders\"} 1\\.0$");
    }

    @Test
    void should_continue_a_dead_instances_job_from_the_step_that_was_running() throws Exception {
        // the step rows with the run row: a takeover between two statements found a job run without its steps
        deadRun(5004, "job:sync", 0, """
                insert into run_steps (run_id, ordinal, name, status, attempt, started_at, finished_at) values
                (5004, 1, 's1', 'completed', 1, '2020-01-01T00:00:00Z', '2020-01-01T00:00:01Z'),
                (5004, 2, 's2', 'running', 1, '2020-01-01T00:00:01Z', null),
                (5004, 3, 's3', 'pending', 1, null, null)""");

        await().atMost(Duration.ofSeconds(20)).until(() -> run(5004).get("status").equals("completed"));
        assertThat(run(5004)).isEqualTo(Map.of("status", "completed", "owner", InstanceId.get(), "takeovers", 1, "error", ""));
        assertThat(harvester.query("select ordinal, name, status, attempt, started_at = '2020-01-01T00:00:00Z' as kept"
                + " from run_steps where run_id = 5004 order by ordinal")).containsExactly(
                Map.of("ordinal", 1, "name", "s1", "status", "completed", "attempt", 1, "kept", true),
                Map.of("ordinal", 2, "name", "s2", "status", "completed", "attempt", 2, "kept", false),
                Map.of("ordinal", 3, "name", "s3", "status", "completed", "attempt", 1, "kept", false));
        // the step that was running runs again, the later one once, the completed one not again
        assertThat(harvester.query("select step from job_effects order by step"))
                .containsExactly(Map.of("step", "s2"), Map.of("step", "s3"));
        assertThat(harvester.query("select count(*) as n from runs where pipeline = 'job:sync'")).containsExactly(Map.of("n", 1L));
    }

    @Test
    void should_continue_a_dead_instances_crawl_as_the_same_run() throws Exception {
        deadRun(5002, "crawl:tree", 0);

        await().atMost(Duration.ofSeconds(20)).until(() -> run(5002).get("status").equals("completed"));
        assertThat(run(5002)).isEqualTo(Map.of("status", "completed", "owner", InstanceId.get(), "takeovers", 1, "error", ""));
        assertThat(harvester.onlyCsv("tree")).isEqualTo(tree.expectedTreeCsv());
        assertThat(tree.lookupCounts()).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
    }

    @Test
    void should_fail_a_run_taken_over_more_than_max_takeovers_times() throws Exception {
        deadRun(5003, "export:poison", 3);

        await().atMost(Duration.ofSeconds(20)).until(() -> run(5003).get("status").equals("failed"));
        Map<String, Object> failed = run(5003);
        assertThat(failed.get("owner")).isEqualTo(InstanceId.get());
        assertThat(failed.get("takeovers")).isEqualTo(4);
        assertThat((String) failed.get("error")).isEqualTo("taken over more than harvester.cluster.max-takeovers = 3 times (4);"
                + " the last time from instance node-dead silent since 2020-01-01 00:05:00 UTC");
        assertThat(harvester.csvFiles("poison")).isEqualTo(List.of());
    }

    @Test
    void should_fail_a_taken_over_export_whose_start_gave_a_secret_its_row_masks() {
        // its start gave a URL with a key: the row keeps it masked, so no instance can read back what was given
        harvester.execute("insert into runs (id, pipeline, status, trigger, params, owner, created_at, started_at, takeovers)"
                + " values (5007, 'export:keyed', 'running', 'manual', '{\"given\": {\"url\": \"" + orders.url("/orders")
                + "?api_key=xxxxxx\"}}', 'node-dead', now(), now(), 0)");

        await().atMost(Duration.ofSeconds(20)).until(() -> run(5007).get("status").equals("failed"));
        assertThat((String) run(5007).get("error")).contains("run 5007 was started with a secret in its url (masked in its row):"
                + " it cannot be continued on another instance; start it again");
        assertThat(orders.requestUris()).noneMatch(uri -> uri.contains("api_key"));
    }

    @Test
    void should_abandon_a_claimed_run_its_pipeline_did_not_take_up_and_leave_a_stopped_pipelines_run() {
        // a scheduled sweep with nothing to do begins no run: the claimed one ends abandoned, for its next run to continue
        deadRun(5005, "dispatch:sweep", 0);
        deadRun(5006, "export:stopped", 0);

        await().atMost(Duration.ofSeconds(20)).until(() -> run(5005).get("status").equals("abandoned"));
        assertThat(run(5005)).isEqualTo(Map.of("status", "abandoned", "owner", InstanceId.get(), "takeovers", 1,
                "error", "abandoned: taken over from instance node-dead by instance " + InstanceId.get()
                        + ", but not continued: its pipeline began no run"));
        // the stopped route takes no run: not claimed, whatever the ticks since
        assertThat(run(5006)).isEqualTo(Map.of("status", "running", "owner", "node-dead", "takeovers", 0, "error", ""));
    }
}
