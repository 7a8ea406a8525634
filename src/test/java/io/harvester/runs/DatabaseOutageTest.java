package io.harvester.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.OrderRecords;
import io.harvester.support.TestStorage;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** A database that refuses connections for 10 s in the middle of an export: the run still ends, and the pipeline runs again. */
@HarvesterDaemon(scope = HarvesterDaemon.Scope.METHOD)
class DatabaseOutageTest {

    DaemonScope daemons;
    HarvesterRuntime harvester;
    @AutoClose
    FakeUpstream upstream;

    @Test
    void should_record_the_run_once_the_database_returns_and_run_the_next_trigger() throws Exception {
        upstream = FakeUpstream.start().total(200).latencyMs(100);
        harvester = daemons.start(ExportYaml.exports()
                .export("outage", upstream.url("/orders"), Map.of("pageSize", "10", "concurrency", "1"))
                .yaml(), Map.of("harvester.runs.heartbeat-interval-ms", "200", "harvester.runs.outcome-retry-ms", "500"));
        String database = harvester.dbUrl().replaceAll(".*/([^/?]+).*", "$1");
        Thread first = new Thread(() -> harvester.runNow("export:outage"));
        first.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.requests() >= 3);

        long outageStart = System.nanoTime();
        TestStorage storage = TestStorage.get();
        storage.admin("alter database " + database + " allow_connections false");
        storage.admin("select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + database + "'");
        // the export ends (its 20 pages take 2 s) while the database is away
        first.join(30_000);
        assertThat(first.isAlive()).isFalse();
        long outageLeftMs = 10_000 - (System.nanoTime() - outageStart) / 1_000_000;
        if (outageLeftMs > 0) {
            Thread.sleep(outageLeftMs); // the outage itself, not a wait for a result
        }
        storage.admin("alter database " + database + " allow_connections true");
        long back = System.nanoTime();

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() ->
                harvester.query("select 1 from runs where pipeline = 'export:outage' and status = 'running'").isEmpty());
        assertThat((System.nanoTime() - back) / 1_000_000).as("ms until the run ended after the database returned")
                .isLessThan(5_000);
        Map<String, Object> ended = harvester.query("select id, status, error from runs where pipeline = 'export:outage'").get(0);
        assertThat(ended.get("status")).isEqualTo("failed");
        assertThat((String) ended.get("error")).startsWith("export outage failed: run store: ");
        assertThat(harvester.outputFiles("outage")).as("no file of the failed run").isEmpty();

        harvester.runNow("export:outage");

        List<Map<String, Object>> runs = harvester.query("select status from runs where pipeline = 'export:outage' order by id");
        assertThat(runs).containsExactly(Map.of("status", "failed"), Map.of("status", "completed"));
        assertThat(harvester.outputFiles("outage")).hasSize(1);
        assertThat(harvester.outputFiles("outage").get(0)).hasContent(OrderRecords.csv(200));
    }
}
