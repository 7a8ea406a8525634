package io.harvester.crawl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.harvester.support.CrawlYaml;
import io.harvester.support.DaemonScope;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** A crawl believes an API that says its budget is used up: no lookup before the reset, none repeated. */
@HarvesterDaemon(scope = HarvesterDaemon.Scope.METHOD)
class CrawlRateBudgetTest {

    DaemonScope daemons;
    HarvesterRuntime harvester;
    @AutoClose
    FakeUpstream upstream;

    @Test
    void should_start_no_lookup_before_the_reset_the_api_named() throws Exception {
        upstream = FakeUpstream.start().tree(2, 2);
        // the root answers its two children as usual, and says nothing is left for 2 s
        upstream.scriptNode("", new FakeUpstream.Answer(200,
                "{\"list\": [{\"id\": \"1\", \"name\": \"Node 1\", \"type\": \"L1\"}, {\"id\": \"2\", \"name\": \"Node 2\", \"type\": \"L1\"}]}",
                Map.of("Content-Type", "application/json", "RateLimit", "limit=10, remaining=0, reset=2")));
        harvester = daemons.start(CrawlYaml.crawl("budget", upstream.url("/tree"), Map.of("depth", "2")).yaml(), Map.of());

        harvester.runNow("crawl:budget");

        long rootAnswered = upstream.lookupEnd("");
        assertThat((upstream.lookupStart("1") - rootAnswered) / 1_000_000).as("ms to node 1's lookup").isGreaterThanOrEqualTo(1900);
        assertThat((upstream.lookupStart("2") - rootAnswered) / 1_000_000).as("ms to node 2's lookup").isGreaterThanOrEqualTo(1900);
        assertThat(upstream.lookupCounts()).isEqualTo(Map.of("", 1, "1", 1, "2", 1));
        assertThat(harvester.query("select status from runs where pipeline = 'crawl:budget'")).containsExactly(Map.of("status", "completed"));
    }
}
