package io.harvester.crawl;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import javax.management.ObjectName;

import io.harvester.support.CrawlYaml;
import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.FakeUpstream.Answer;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Failing nodes, 429 bursts, a slow sibling and a rate limit: the crawl goes on and stays within its limits. */
@HarvesterDaemon
class HierarchyCrawlControlTest {

    static DaemonScope daemons;
    static HarvesterRuntime harvester;
    @AutoClose
    static FakeUpstream upstream;

    static FakeUpstream throttling;
    static FakeUpstream slowSibling;
    static FakeUpstream limited;
    static FakeUpstream oversized;

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.start().tree(3, 4);
        throttling = FakeUpstream.start().tree(5, 3).latencyMs(5);
        slowSibling = FakeUpstream.start().tree(3, 4).nodeLatencyMs("1-1", 1500);
        limited = FakeUpstream.start().tree(5, 3);
        oversized = FakeUpstream.start().tree(3, 3);
        ExportYaml routes = CrawlYaml.crawl("failing", upstream.url("/tree"), Map.of("depth", "4", "retries", "1"))
                .route("hierarchy-crawl", "crawl-throttled", "throttled", throttling.url("/tree"),
                        Map.of("depth", "3", "maxInFlight", "8", "levelConcurrency", "8,8,8"))
                .route("hierarchy-crawl", "crawl-pipelined", "pipelined", slowSibling.url("/tree"), Map.of())
                .route("hierarchy-crawl", "crawl-limited", "limited", limited.url("/tree"),
                        Map.of("depth", "3", "ratePerSecond", "10"))
                .route("hierarchy-crawl", "crawl-oversized", "oversized", oversized.url("/tree"),
                        Map.of("depth", "3", "maxResponseBytes", "1000"));
        harvester = daemons.start(routes, Map.of("camel.resilience4j.minimum-number-of-calls", "100",
                "camel.resilience4j.sliding-window-size", "100"));
    }

    @AfterAll
    static void stopOthers() {
        throttling.close();
        slowSibling.close();
        limited.close();
        oversized.close();
    }

    @Test
    void should_fail_a_lookup_whose_answer_is_past_maxResponseBytes_without_retrying_it() throws Exception {
        String big = "{\"list\": [], \"pad\": \"" + "x".repeat(2000) + "\"}";
        oversized.scriptNode("2", Answer.body(big));

        harvester.runNow("crawl:oversized");

        assertThat(oversized.lookups("2")).as("the same answer would come again").isEqualTo(1);
        Map<String, Object> run = harvester.query("select id, status, error from runs where pipeline = 'crawl:oversized'").get(0);
        assertThat(run.get("status")).isEqualTo("partial");
        assertThat((String) run.get("error")).isEqualTo("1 node(s) failed, their subtrees are missing: 2");
        assertThat(harvester.query("select id, status, error from crawl_nodes where status <> 'done' and run_id = " + run.get("id")))
                .containsExactly(Map.of("id", "2", "status", "failed", "error",
                        "the answer is " + big.length() + " bytes (Content-Length), larger than maxResponseBytes = 1000 bytes"));
    }

    @Test
    void should_finish_as_partial_without_the_subtree_of_a_node_that_keeps_failing() throws Exception {
        upstream.scriptNode("2-3", Answer.status(500), Answer.status(500));

        harvester.runNow("crawl:failing");

        assertThat(upstream.lookups("2-3")).isEqualTo(2);
        assertThat(upstream.lookupCounts().keySet()).as("nothing below the failed node is looked up")
                .noneMatch(id -> id.startsWith("2-3-"))
                .hasSize(1 + 3 + 9 + 27 - 3);
        Map<String, Object> run = harvester.query("select id, status, error from runs where pipeline = 'crawl:failing'").get(0);
        assertThat(run.get("status")).isEqualTo("partial");
        assertThat((String) run.get("error")).isEqualTo("1 node(s) failed, their subtrees are missing: 2-3");
        String expected = String.join("", upstream.expectedTreeCsv().lines()
                .filter(line -> !line.contains(",2-3-")).map(line -> line + "\r\n").toList());
        assertThat(harvester.onlyCsv("failing")).isEqualTo(expected);
        // header + 120 nodes - the failed node's 3 children and 9 grandchildren
        assertThat(harvester.onlyCsv("failing").lines()).hasSize(1 + 120 - 12);
        assertThat(harvester.query("select id, status, error from crawl_nodes where status <> 'done' and run_id = " + run.get("id")))
                .containsExactly(Map.of("id", "2-3", "status", "failed",
                        "error", "HTTP 500 Internal Server Error from " + upstream.url("/tree") + "?id=2-3&name=Node+2-3&type=L2"));
        assertThat(harvester.query("select name, status, result->>'failed' as failed from run_steps where run_id = "
                + run.get("id") + " order by ordinal")).containsExactly(
                Map.of("name", "level-1", "status", "completed", "failed", "0"),
                Map.of("name", "level-2", "status", "partial", "failed", "1"),
                Map.of("name", "level-3", "status", "completed", "failed", "0"),
                Map.of("name", "level-4", "status", "completed", "failed", "0"));
    }

    @Test
    void should_halve_the_in_flight_limit_on_429_bursts_and_grow_it_back() throws Exception {
        Answer tooMany = new Answer(429, "{}", Map.of("Retry-After", "0"));
        // node 1 is refused three times in a row: each retry starts after the previous cut and cuts again;
        // nodes 2 and 3 are refused alongside node 1's first attempt: the same event, no extra cut
        throttling.scriptNode("1", tooMany, tooMany, tooMany).scriptNode("2", tooMany).scriptNode("3", tooMany);

        harvester.runNow("crawl:throttled");

        List<Integer> limits = history("throttled");
        assertThat(limits.get(0)).isEqualTo(8);
        int lowest = Collections.min(limits);
        assertThat(lowest).isLessThanOrEqualTo(2);
        List<Integer> cuts = new java.util.ArrayList<>();
        int lastCut = 0;
        for (int i = 1; i < limits.size(); i++) {
            if (limits.get(i) < limits.get(i - 1)) {
                assertThat(limits.get(i)).as("a cut halves").isEqualTo(Math.max(1, limits.get(i - 1) / 2));
                cuts.add(limits.get(i));
                lastCut = i;
            } else {
                // successes between node 1's retries may grow it before the next cut: always by one
                assertThat(limits.get(i)).as("grows by one at a time").isEqualTo(limits.get(i - 1) + 1);
            }
        }
        assertThat(cuts).as("one cut per back-off event: the first burst, then node 1's two retries").hasSize(3);
        assertThat(limits.subList(lastCut, limits.size())).as("grows back after the last cut").isSorted()
                .hasSizeGreaterThan(2);
        assertThat(limits).allSatisfy(l -> assertThat(l).isBetween(1, 8));
        assertThat(harvester.query("select status from runs where pipeline = 'crawl:throttled'"))
                .containsExactly(Map.of("status", "completed"));
        assertThat(harvester.onlyCsv("throttled")).isEqualTo(throttling.expectedTreeCsv());
    }

    @Test
    void should_start_grandchildren_of_fast_siblings_before_a_slow_sibling_answers() throws Exception {
        harvester.runNow("crawl:pipelined");

        assertThat(slowSibling.lookupStart("1-2-1")).isLessThan(slowSibling.lookupEnd("1-1"));
        assertThat(slowSibling.lookupStart("1-3-3")).isLessThan(slowSibling.lookupEnd("1-1"));
        assertThat(harvester.onlyCsv("pipelined")).isEqualTo(slowSibling.expectedTreeCsv());
    }

    @Test
    void should_start_no_more_lookups_per_second_than_the_rate_retries_included() throws Exception {
        // two lookups fail once: their retries (20 ms backoff here) must wait for a slot of the rate too
        limited.scriptNode("2", Answer.status(503)).scriptNode("4-2", Answer.status(503));

        harvester.runNow("crawl:limited");

        List<Long> starts = limited.lookupTimes();
        Collections.sort(starts);
        assertThat(starts).hasSize(31 + 2);
        assertThat(limited.lookups("2")).isEqualTo(2);
        // measured where requests arrive: a request can arrive up to 100 ms late on a busy 2-core machine (the
        // tests run in three JVMs at once) against the client's exact spacing. A retry that took no slot would
        // put 31 starts in 2.8 s, under the bound
        for (int i = 0; i + 10 < starts.size(); i++) {
            assertThat((starts.get(i + 10) - starts.get(i)) / 1_000_000).as("11 starts span a second")
                    .isGreaterThanOrEqualTo(900);
        }
        for (int i = 0; i + 30 < starts.size(); i++) {
            assertThat((starts.get(i + 30) - starts.get(i)) / 1_000_000).as("31 starts span 3 seconds")
                    .isGreaterThanOrEqualTo(2900);
        }
    }

    private static List<Integer> history(String crawl) throws Exception {
        String[] entries = (String[]) ManagementFactory.getPlatformMBeanServer().getAttribute(
                new ObjectName("io.harvester:type=crawl,name=" + ObjectName.quote(crawl)), "LimitHistory");
        return java.util.Arrays.stream(entries).map(e -> Integer.parseInt(e.substring(e.indexOf('=') + 1))).toList();
    }
}
