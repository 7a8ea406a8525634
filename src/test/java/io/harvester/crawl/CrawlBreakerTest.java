package io.harvester.crawl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.harvester.support.CrawlYaml;
import io.harvester.support.DaemonScope;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import org.apache.camel.Processor;
import org.apache.camel.component.resilience4j.ResilienceProcessor;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** While a crawl's circuit breaker is open its lookups wait, sending nothing, and give up only after breakerWaitMs. */
@HarvesterDaemon(scope = HarvesterDaemon.Scope.METHOD)
class CrawlBreakerTest {

    DaemonScope daemons;
    HarvesterRuntime harvester;
    @AutoClose
    FakeUpstream upstream;

    @Test
    void should_wait_for_an_open_breaker_and_finish_or_give_up_after_breaker_wait() throws Exception {
        upstream = FakeUpstream.start().tree(2, 2);
        harvester = daemons.start(CrawlYaml.crawl("patient", upstream.url("/tree"), Map.of("depth", "2"))
                .route("hierarchy-crawl", "crawl-impatient", "impatient", upstream.url("/tree"),
                        Map.of("depth", "2", "breakerWaitMs", "1500"))
                .yaml(), Map.of("camel.resilience4j.wait-duration-in-open-state", "1"));

        // open for 1 s (wait-duration-in-open-state), then half-open: the crawl waits and then completes
        breaker("patient").transitionToOpenState();
        long start = System.nanoTime();
        harvester.runNow("crawl:patient");
        long tookMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(harvester.query("select status from runs where pipeline = 'crawl:patient'"))
                .containsExactly(Map.of("status", "completed"));
        // a finished crawl's current step says how it ended, not "crawling: ..."
        assertThat(harvester.query("select r.current_step, r.progress, (select count(*) from crawl_nodes n where n.run_id = r.id) as nodes"
                + " from runs r where pipeline = 'crawl:patient'")).singleElement()
                .satisfies(run -> assertThat(run).containsEntry("current_step", "completed: " + run.get("nodes") + " nodes")
                        .containsEntry("progress", 100));
        assertThat(tookMillis).as("waited for the breaker").isGreaterThanOrEqualTo(900);
        assertThat(upstream.lookupCounts()).as("no call was sent while it was open: each lookup once")
                .isEqualTo(Map.of("", 1, "1", 1, "2", 1));
        assertThat(breaker("patient").getCircuitBreakerState()).isEqualTo("CLOSED");

        // forced open: the root call waits breakerWaitMs (1.5 s), then the run fails saying why
        upstream.resetCounters();
        breaker("impatient").transitionToForcedOpenState();
        harvester.runNow("crawl:impatient");

        Map<String, Object> run = harvester.query("select status, error from runs where pipeline = 'crawl:impatient'").get(0);
        assertThat(run.get("status")).isEqualTo("failed");
        assertThat((String) run.get("error")).isEqualTo("crawl impatient: lookup of root call failed: circuit breaker is"
                + " open after repeated failures; calls are not sent until it half-opens (waited 1 s for it to close)");
        assertThat(upstream.lookupCounts()).isEmpty();
        assertThat(harvester.outputFiles("impatient")).isEmpty();
    }

    private ResilienceProcessor breaker(String crawl) {
        List<Processor> found = harvester.context().getRoute("crawl-" + crawl).filter(".*breaker-crawl-" + crawl);
        assertThat(found).hasSize(1);
        return (ResilienceProcessor) found.get(0);
    }
}
