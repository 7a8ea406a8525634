package io.harvester.crawl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.management.ObjectName;

import io.harvester.support.CrawlYaml;
import io.harvester.support.DaemonScope;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A crawl stopped mid-way keeps its checkpoint, and the next start finishes it without asking for any node twice. */
@HarvesterDaemon(scope = HarvesterDaemon.Scope.METHOD)
class CrawlResumeTest {

    DaemonScope daemons;

    @TempDir
    Path work;

    @Test
    void should_continue_an_interrupted_crawl_at_the_next_start_without_repeating_lookups() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start().tree(5, 4).latencyMs(40)) {
            String routes = CrawlYaml.crawl("resumable", upstream.url("/tree"), Map.of("maxInFlight", "4")).yaml();
            HarvesterRuntime first = daemons.start(work, routes, Map.of());
            Thread running = new Thread(() -> first.runNow("crawl:resumable"));
            running.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> upstream.lookupCounts().size() >= 40);

            first.close();
            running.join(30_000);

            Map<String, Object> interrupted = first.query("select id from runs").get(0);
            // lookups whose answers were recorded: the root call (level-1 nodes exist) and every done node above the leaves
            List<String> completed = first.query("select id from crawl_nodes where status = 'done' and level < 4")
                    .stream().map(row -> (String) row.get("id")).collect(java.util.stream.Collectors.toList());
            completed.add("");
            assertThat(completed.size()).isBetween(10, 155);

            HarvesterRuntime second = daemons.start(work, routes, Map.of());
            try {
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        !second.query("select 1 from runs where status = 'completed'").isEmpty());
                List<Map<String, Object>> runs = second.query("select id, status, trigger, resumed_from from runs order by id");
                assertThat(runs).hasSize(2);
                // cut off by the shutdown, not by a crash
                assertThat(runs.get(0)).containsEntry("status", "interrupted");
                assertThat((String) second.query("select error from runs where id = 1").get(0).get("error"))
                        .startsWith("stopped by shutdown with ").endsWith("lookups to go; the next run resumes from the checkpoint");
                assertThat(runs.get(1)).containsEntry("status", "completed").containsEntry("trigger", "startup")
                        .containsEntry("resumed_from", interrupted.get("id"));
                assertThat(upstream.lookupCounts()).hasSize(156);
                assertThat(completed).allSatisfy(id -> assertThat(upstream.lookups(id)).as("lookups of completed node '%s'", id)
                        .isEqualTo(1));
                try (var files = Files.list(second.outputDir().resolve("resumable"))) {
                    assertThat(Files.readString(files.filter(p -> p.toString().endsWith(".csv")).findFirst().orElseThrow()))
                            .isEqualTo(upstream.expectedTreeCsv());
                }
            } finally {
                second.close();
            }
        }
    }

    @Test
    void should_rerun_only_the_failed_subtrees_of_a_partial_run() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start().tree(3, 3)) {
            upstream.scriptNode("3", FakeUpstream.Answer.status(503), FakeUpstream.Answer.status(503));
            HarvesterRuntime harvester = daemons.start(work, CrawlYaml.crawl("retry", upstream.url("/tree"),
                    Map.of("depth", "3", "retries", "1")).yaml(), Map.of());
            try {
                harvester.runNow("crawl:retry");
                assertThat(harvester.query("select status from runs")).containsExactly(Map.of("status", "partial"));
                upstream.resetCounters();

                // the operator's way: the crawl's JMX operation (JConsole, Jolokia)
                Object answer = ManagementFactory.getPlatformMBeanServer().invoke(
                        new ObjectName("io.harvester:type=crawl,name=\"retry\""), "retryFailedSubtrees", null, null);
                assertThat(answer).as("the id of the retrying run").isEqualTo(2L);
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        harvester.query("select 1 from runs where status = 'completed'").size() == 1);

                assertThat(upstream.lookupCounts()).isEqualTo(Map.of("3", 1, "3-1", 1, "3-2", 1, "3-3", 1));
                assertThat(harvester.query("select status, resumed_from is not null as resumed from runs order by id"))
                        .containsExactly(Map.of("status", "partial", "resumed", false),
                                Map.of("status", "completed", "resumed", true));
            } finally {
                harvester.close();
            }
        }
    }

    @Test
    void should_end_resumable_when_a_checkpoint_write_fails_and_finish_on_the_next_run() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start().tree(3, 3)) {
            HarvesterRuntime harvester = daemons.start(work, CrawlYaml.crawl("flaky-db", upstream.url("/tree"),
                    Map.of("depth", "3")).yaml(), Map.of());
            try {
                // the database refuses the children of node 2-2, as a database going away would refuse any write
                harvester.execute("alter table crawl_nodes add constraint refuse_2_2 check (parent_id <> '2-2') not valid");
                harvester.runNow("crawl:flaky-db");

                Map<String, Object> stopped = harvester.query("select id, status, error from runs").get(0);
                assertThat(stopped.get("status")).isEqualTo("interrupted");
                assertThat((String) stopped.get("error")).startsWith("crawl flaky-db stopped: crawl checkpoint write failed")
                        .contains("refuse_2_2").contains("lookups to go; the next run resumes from the checkpoint");
                assertThat(harvester.outputFiles("flaky-db")).as("no CSV for a crawl that stopped").isEmpty();
                Map<String, Integer> before = upstream.lookupCounts();

                harvester.execute("alter table crawl_nodes drop constraint refuse_2_2");
                harvester.runNow("crawl:flaky-db");

                assertThat(harvester.query("select status, resumed_from = " + stopped.get("id") + " as resumes_it from runs"
                        + " where id > " + stopped.get("id"))).containsExactly(Map.of("status", "completed", "resumes_it", true));
                List<Path> published = harvester.outputFiles("flaky-db");
                assertThat(published).hasSize(1);
                assertThat(Files.readString(published.get(0))).isEqualTo(upstream.expectedTreeCsv());
                // the refused answer is asked for again; lookups whose answers were written are not
                assertThat(upstream.lookups("2-2")).isEqualTo(2);
                assertThat(upstream.lookupCounts()).hasSize(13)
                        .allSatisfy((id, n) -> assertThat(n).as(id).isLessThanOrEqualTo(before.getOrDefault(id, 0) + 1));
                assertThat(upstream.lookups("")).isEqualTo(1);
            } finally {
                harvester.close();
            }
        }
    }
}
