package io.harvester.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import io.harvester.support.CrawlYaml;
import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.JobYaml;
import io.harvester.support.LogLines;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fencing: a run of this instance that another instance took over meanwhile (as a claim does: its row's owner
 * and takeovers count changed while this one was paused past its lease) is dropped here at the next write or
 * instance heartbeat, and from the takeover on nothing of it is written by this instance: not its row, its
 * steps, its files, its log rows, its checkpoint. Two real processes, one paused with SIGSTOP, are TakeoverIT's.
 */
@HarvesterDaemon
class RunFencingTest {

    static DaemonScope daemons;
    private static HarvesterRuntime harvester;
    @AutoClose
    static FakeUpstream orders;
    @AutoClose
    static FakeUpstream tree;

    @BeforeAll
    static void start() {
        orders = FakeUpstream.start().total(3000).latencyMs(100);
        tree = FakeUpstream.start().tree(4, 4).latencyMs(60);
        String routes = ExportYaml.exports()
                .export("slow", orders.url("/orders"), Map.of("pageSize", "100", "concurrency", "1"))
                .yaml()
                + CrawlYaml.crawl("tree", tree.url("/tree"), Map.of("depth", "4", "maxInFlight", "2")).yaml()
                + JobYaml.job("long",
                        "s1", "insert into fenced_effects (step) values ('s1')",
                        "s2", "select pg_sleep(3)",
                        "s3", "insert into fenced_effects (step) values ('s3')");
        harvester = daemons.start(routes, Map.of("harvester.cluster.heartbeat", "100ms", "harvester.cluster.lease", "1s",
                "harvester.jobs.long.cron", ""));
        harvester.execute("create table fenced_effects (step text not null)");
    }

    @Test
    void should_drop_an_export_taken_over_meanwhile_without_writing_or_publishing_anything() throws Exception {
        try (LogLines log = LogLines.capture()) {
            CompletableFuture<?> run = CompletableFuture.runAsync(() -> harvester.runNow("export:slow"));
            await().atMost(Duration.ofSeconds(20)).until(() -> orders.requests() >= 3);
            long id = liveRun("export:slow");

            Map<String, Object> atTakeover = takeOver(id);
            run.get(30, TimeUnit.SECONDS);
            int asked = orders.requests();
            // JMX shows the run node-b goes on with
            ObjectName view = PipelineView.name("export:slow");
            MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
            assertThat(List.of(jmx.getAttribute(view, "LiveRunId"), jmx.getAttribute(view, "LiveRunOwner"),
                    jmx.getAttribute(view, "LiveRunTakeovers"))).containsExactly(id, "node-b", 1);
            Thread.sleep(500);

            assertThat(state(id)).as("nothing written since the takeover").isEqualTo(atTakeover);
            assertThat(asked).as("pages asked").isLessThan(30);
            assertThat(orders.requests()).as("no page asked after the drop").isEqualTo(asked);
            assertThat(harvester.outputFiles("slow")).as("nothing published, the temporary file gone").isEmpty();
            assertThat(log.containing("stops here")).containsExactly("WARN run " + id + " of export:slow stops here:"
                    + " taken over by instance node-b, takeover 1 while this instance was silent; this copy writes and"
                    + " publishes nothing");
        }
    }

    @Test
    void should_drop_a_crawl_taken_over_meanwhile_without_writing_its_checkpoint() throws Exception {
        CompletableFuture<?> run = CompletableFuture.runAsync(() -> harvester.runNow("crawl:tree"));
        await().atMost(Duration.ofSeconds(20)).until(() -> tree.lookupCounts().size() >= 10);
        long id = liveRun("crawl:tree");

        Map<String, Object> atTakeover = takeOver(id);
        List<Map<String, Object>> nodes = harvester.query("select node_key, status from crawl_nodes where run_id = " + id
                + " order by node_key");
        run.get(30, TimeUnit.SECONDS);
        Thread.sleep(300);

        assertThat(state(id)).isEqualTo(atTakeover);
        assertThat(harvester.query("select node_key, status from crawl_nodes where run_id = " + id + " order by node_key"))
                .as("the checkpoint as it was at the takeover").isEqualTo(nodes);
        assertThat(tree.lookupCounts().size()).as("lookups asked").isLessThan(1 + 4 + 16 + 64);
        assertThat(harvester.outputFiles("tree")).isEmpty();
    }

    @Test
    void should_stop_a_job_taken_over_while_its_step_runs_within_a_heartbeat() throws Exception {
        CompletableFuture<?> run = CompletableFuture.runAsync(() -> harvester.runNow("job:long"));
        await().atMost(Duration.ofSeconds(20)).until(() -> harvester.query(
                "select 1 from run_steps where name = 's2' and status = 'running'").size() == 1);
        long id = liveRun("job:long");

        Map<String, Object> atTakeover = takeOver(id);
        long took = System.nanoTime();
        run.get(30, TimeUnit.SECONDS);
        long stoppedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - took);
        Thread.sleep(300);

        // s2 sleeps for 3 s: its statement was cancelled on the instance heartbeat after the takeover
        assertThat(stoppedMs).as("the job's route ended, ms after the takeover").isLessThan(2_500);
        assertThat(state(id)).isEqualTo(atTakeover);
        assertThat(harvester.query("select step from fenced_effects")).containsExactly(Map.of("step", "s1"));
    }

    private static long liveRun(String pipeline) {
        return (Long) harvester.query("select id from runs where pipeline = '" + pipeline + "' and status = 'running'")
                .get(0).get("id");
    }

    /** What a claim by node-b does to the row; the run's whole state right after it. */
    private static Map<String, Object> takeOver(long id) {
        // locked for update first, as the claim does: a fenced write under way (key share) finishes before it
        harvester.execute("with claimed as (select id from runs where id = " + id + " for update)"
                + " update runs r set owner = 'node-b', takeovers = r.takeovers + 1 from claimed c where r.id = c.id");
        return state(id);
    }

    /** The run's row, steps, files and log rows, as text. */
    private static Map<String, Object> state(long id) {
        return Map.of(
                "run", harvester.query("select status, owner, takeovers, progress, current_step, error, heartbeat_at::text as beat,"
                        + " finished_at from runs where id = " + id).toString(),
                "steps", harvester.query("select * from run_steps where run_id = " + id + " order by ordinal").toString(),
                "outputs", harvester.query("select * from run_outputs where run_id = " + id + " order by id").toString(),
                "logs", harvester.query("select count(*) as n from run_logs where run_id = " + id).toString());
    }
}
