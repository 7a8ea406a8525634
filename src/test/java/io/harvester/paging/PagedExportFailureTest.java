package io.harvester.paging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream.Answer;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.TestPorts;
import org.apache.camel.Processor;
import org.apache.camel.component.resilience4j.ResilienceProcessor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A down upstream opens the breaker; bad answers fail the run by name; nothing half-written is published. */
@HarvesterDaemon
class PagedExportFailureTest {

    static DaemonScope daemons;
    static HarvesterRuntime harvester;
    @AutoClose
    static FakeUpstream upstream;

    static FakeUpstream down;

    @BeforeAll
    static void start() {
        down = FakeUpstream.start().total(500);
        upstream = FakeUpstream.start().total(500);
        harvester = daemons.start(ExportYaml.exports()
                .export("inventory", down.url("/orders"), Map.of("pageSize", "100", "retries", "3"))
                .export("malformed", upstream.url("/orders"), Map.of("pageSize", "100", "retries", "0"))
                .export("nototal", upstream.url("/orders"), Map.of("pageSize", "100", "totalField", "meta.count"))
                .export("nolist", upstream.url("/orders"), Map.of("pageSize", "100", "listField", "items"))
                .export("gone", "http://127.0.0.1:" + closedPort + "/orders", Map.of("pageSize", "100", "retries", "2"))
                .export("unrecorded", upstream.url("/orders"), Map.of("pageSize", "100")),
                Map.of());
    }

    /** A port nothing listens on: connecting is refused, as when the upstream's server is down. */
    static final int closedPort = TestPorts.next();

    @AfterAll
    static void stopDown() {
        down.close();
    }

    @Test
    void should_open_the_breaker_when_the_upstream_is_down_and_keep_earlier_exports() throws Exception {
        Path earlier = harvester.outputDir().resolve("inventory").resolve("inventory-20250101-000000.csv");
        Files.createDirectories(earlier.getParent());
        Files.writeString(earlier, "id\r\n1\r\n");
        down.always(Answer.status(503));

        harvester.runNow("export:inventory");
        int afterFirstRun = down.requests();
        harvester.runNow("export:inventory");
        int afterSecondRun = down.requests();
        harvester.runNow("export:inventory");
        harvester.runNow("export:inventory");

        // minimumNumberOfCalls=5: the first run's 4 attempts and one more open the breaker
        assertThat(afterFirstRun).isEqualTo(4);
        assertThat(afterSecondRun).isEqualTo(5);
        assertThat(down.requests()).isEqualTo(afterSecondRun);
        List<Map<String, Object>> runs = harvester.query(
                "select status, error from runs where pipeline = 'export:inventory' order by id");
        assertThat(runs).hasSize(4).allSatisfy(run -> assertThat(run.get("status")).isEqualTo("failed"));
        assertThat((String) runs.get(0).get("error")).startsWith("export inventory failed on page 1").contains("HTTP 503");
        assertThat((String) runs.get(3).get("error")).startsWith("export inventory failed on page 1")
                .contains("circuit breaker is open");
        assertThat(harvester.outputFiles("inventory")).containsExactly(earlier);
        assertThat(Files.readString(earlier)).isEqualTo("id\r\n1\r\n");
        // Camel prefixes the node ids of template routes (route-N), so the breaker is found by its own name
        List<Processor> breakers = harvester.context().getRoute("export-inventory").filter(".*breaker-export-inventory");
        assertThat(breakers).hasSize(1);
        ResilienceProcessor breaker = (ResilienceProcessor) breakers.get(0);
        assertThat(breaker.getCircuitBreakerState()).isEqualTo("OPEN");
        assertThat(breaker.getCircuitBreaker().getName()).endsWith("breaker-export-inventory");
    }

    @Test
    void should_fail_naming_an_upstream_that_refuses_connections_after_its_retries() throws Exception {
        harvester.runNow("export:gone");

        Map<String, Object> run = harvester.query("select status, error from runs where pipeline = 'export:gone'").get(0);
        assertThat(run.get("status")).isEqualTo("failed");
        assertThat((String) run.get("error")).startsWith("export gone failed on page 1 (http://127.0.0.1:" + closedPort)
                .contains("upstream is down");
        assertThat(harvester.query("select result->>'pagesFailed' as failed from run_steps where name = 'fetch' and run_id = "
                + "(select id from runs where pipeline = 'export:gone')")).containsExactly(Map.of("failed", "1"));
        assertThat(harvester.outputFiles("gone")).isEmpty();
    }

    @Test
    void should_withdraw_the_published_file_when_the_run_cannot_be_recorded() throws Exception {
        // PostgreSQL refuses this export's run_outputs row, as a database going away after the rename would
        harvester.execute("alter table run_outputs add constraint refuse_unrecorded check (path not like 'unrecorded%') not valid");
        try {
            harvester.runNow("export:unrecorded");
        } finally {
            harvester.execute("alter table run_outputs drop constraint refuse_unrecorded");
        }

        Map<String, Object> run = harvester.query("select id, status, error from runs where pipeline = 'export:unrecorded'").get(0);
        assertThat(run.get("status")).isEqualTo("failed");
        assertThat((String) run.get("error")).startsWith("export unrecorded failed: ").contains("refuse_unrecorded");
        assertThat(harvester.outputFiles("unrecorded")).as("no file under a final name for a failed run, no temporary file").isEmpty();
        assertThat(harvester.query("select path from run_outputs where run_id = " + run.get("id")))
                .as("the withdrawn file's row is gone, the run's log stays").containsExactly(Map.of("path", "runs/" + run.get("id") + ".log"));
    }

    @Test
    void should_fail_naming_the_cause_when_an_answer_is_not_json() throws Exception {
        upstream.script(2, Answer.body("{\"total\": 500, \"list\": [ {\"id\": 1 "));

        harvester.runNow("export:malformed");

        Map<String, Object> run = harvester.onlyRun("export:malformed");
        assertThat(run.get("status")).isEqualTo("failed");
        assertThat((String) run.get("error")).startsWith("export malformed failed on page 2 (" + upstream.url("/orders"))
                .contains("response is not valid JSON");
        assertThat(harvester.outputFiles("malformed")).isEmpty();
    }

    @Test
    void should_fail_naming_the_total_field_when_it_is_missing() throws Exception {
        harvester.runNow("export:nototal");

        Map<String, Object> run = harvester.onlyRun("export:nototal");
        assertThat(run.get("status")).isEqualTo("failed");
        assertThat((String) run.get("error")).startsWith("export nototal failed on page 1")
                .contains("field 'meta.count' (totalField) is missing");
        assertThat(harvester.outputFiles("nototal")).isEmpty();
        assertThat(harvester.query("select level, message from run_logs where extra is null and run_id = " + run.get("id")))
                .containsExactly(Map.of("level", "ERROR", "message", run.get("error")));
    }

    @Test
    void should_fail_naming_the_list_field_when_it_is_missing() throws Exception {
        harvester.runNow("export:nolist");

        assertThat((String) harvester.onlyRun("export:nolist").get("error")).contains("field 'items' (listField) is missing");
        assertThat(harvester.outputFiles("nolist")).isEmpty();
    }
}
