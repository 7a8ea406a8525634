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
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs of a dead instance (its lease long gone: a row in instances that last beat in 2020) are taken over by
 * this one, which runs their pipelines: the same run goes on and completes here, counted, logged, owned here;
 * one taken over too often ends failed; a job's run is left to the heartbeat sweep. Two instances killed for
 * real are TakeoverIT's.
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
                .yaml()
                + CrawlYaml.crawl("tree", tree.url("/tree"), Map.of("depth", "3")).yaml()
                + JobYaml.job("idle", "only", "select 1");
        harvester = daemons.start(routes, Map.of("harvester.cluster.heartbeat", "100ms", "harvester.cluster.lease", "1s",
                "harvester.jobs.idle.cron", ""));
        harvester.execute("insert into instances (id, host, started_at, heartbeat_at) values"
                + " ('node-dead', 'gone', '2020-01-01T00:00:00Z', '2020-01-01T00:05:00Z')");
    }

    private static void deadRun(long id, String pipeline, int takeovers) {
        harvester.execute("insert into runs (id, pipeline, status, trigger, params, owner, created_at, started_at, takeovers)"
                + " values (" + id + ", '" + pipeline + "', 'running', 'schedule', '{}', 'node-dead', now(), now(), " + takeovers + ")");
    }

    private static Map<String, Object> run(long id) {
        return harvester.query("select status, owner, takeovers, coalesce(error, '') as error from runs where id = " + id).get(0);
    }

    @Test
    void should_continue_a_dead_instances_export_as_the_same_run_and_leave_its_job_to_the_sweep() throws Exception {
        deadRun(5001, "export:orders", 0);
        deadRun(5004, "job:idle", 0);

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
        // many ticks later (a takeover is claimed on the tick after the lease), the job's run is as it was
        assertThat(run(5004)).isEqualTo(Map.of("status", "running", "owner", "node-dead", "takeovers", 0, "error", ""));
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
}
