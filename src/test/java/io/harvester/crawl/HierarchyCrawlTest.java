package io.harvester.crawl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.harvester.support.CrawlYaml;
import io.harvester.support.DaemonScope;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A depth-4, branching-5 tree: every node once, depth-first, within every in-flight cap. */
@HarvesterDaemon
class HierarchyCrawlTest {

    static DaemonScope daemons;
    static HarvesterRuntime harvester;
    @AutoClose
    static FakeUpstream upstream;

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.start().tree(5, 4).latencyMs(15);
        harvester = daemons.start(CrawlYaml.crawl("features", upstream.url("/tree"),
                Map.of("levelConcurrency", "2,3,4,6", "maxInFlight", "8")), Map.of());
    }

    @Test
    void should_write_all_780_nodes_depth_first_from_156_lookups_within_the_caps() throws Exception {
        upstream.resetCounters();
        harvester.runNow("crawl:features");

        assertThat(harvester.onlyCsv("features")).isEqualTo(upstream.expectedTreeCsv());
        assertThat(harvester.onlyCsv("features").lines()).hasSize(781);
        assertThat(upstream.lookupCounts()).hasSize(156).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
        // the caps hold, and are used: level 4 (125 lookups) and the global cap are reached
        assertThat(upstream.maxInFlight()).isLessThanOrEqualTo(8).isGreaterThanOrEqualTo(6);
        assertThat(upstream.maxInFlight(1)).isEqualTo(1);
        assertThat(upstream.maxInFlight(2)).isBetween(1, 3);
        assertThat(upstream.maxInFlight(3)).isBetween(1, 4);
        assertThat(upstream.maxInFlight(4)).isEqualTo(6);

        Map<String, Object> run = harvester.query("select * from runs where pipeline = 'crawl:features'").get(0);
        assertThat(run).containsEntry("status", "completed").containsEntry("error", null).containsEntry("progress", 100);
        assertThat(harvester.query("select count(*) as n from crawl_nodes where run_id = " + run.get("id")
                + " and status = 'done'")).containsExactly(Map.of("n", 780L));
        assertThat(harvester.query("select name, records, result->>'fetched' as fetched from run_steps where run_id = "
                + run.get("id") + " order by ordinal")).containsExactly(
                Map.of("name", "level-1", "records", 5L, "fetched", "5"),
                Map.of("name", "level-2", "records", 25L, "fetched", "25"),
                Map.of("name", "level-3", "records", 125L, "fetched", "125"),
                Map.of("name", "level-4", "records", 625L, "fetched", "0"));
        assertThat(harvester.query("select rows from run_outputs where \"primary\" and run_id = " + run.get("id")))
                .containsExactly(Map.of("rows", 780L));
    }
}
