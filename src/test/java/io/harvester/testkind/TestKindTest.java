package io.harvester.testkind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import io.harvester.support.DaemonScope;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.RunsApiClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A new pipeline kind is one package and one registration: {@link TestKind}, bound in the registry by the
 * test, gets starts over the API (with its own parameter, and its own refusal), a skip while a run is
 * live, a cancel, its JMX view and runNow, the shared error handling without naming it, and live route
 * edits, from a kernel that never names it.
 */
@HarvesterDaemon
class TestKindTest {

    private static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();
    private static final String ROUTES = """
            - route:
                id: test-hello
                from:
                  uri: "trigger:test:hello"
                  steps:
                    - setBody:
                        simple: "${header.TestGreeting}"
                    - log: "greeting: ${body}"
            - route:
                id: test-waiting
                from:
                  uri: "trigger:test:waiting"
                  steps:
                    - loop:
                        doWhile: true
                        simple: "${exchangeProperty.harvesterRun.live}"
                        steps:
                          - delay:
                              constant: 20
            - route:
                id: test-broken
                from:
                  uri: "trigger:test:broken"
                  steps:
                    - throwException:
                        exceptionType: java.lang.IllegalStateException
                        message: "the upstream said no"
            """;

    static DaemonScope daemons;
    private static Path work;
    private static HarvesterRuntime harvester;
    private static RunsApiClient api;
    private static final TestKind KIND = new TestKind();

    @BeforeAll
    static void start() {
        work = daemons.folder();
        harvester = daemons.start(work, ROUTES, Map.of(
                "camel.main.routes-include-pattern", "file:routes/templates/*.camel.yaml,file:routes/harvester-*.camel.yaml,"
                        + "file:" + work.toAbsolutePath() + "/*.camel.yaml",
                "camel.main.routes-reload-enabled", "true",
                "camel.main.routes-reload-directory", work.toAbsolutePath().toString(),
                "camel.main.routes-reload-directory-recursive", "false"), main -> main.bind("testKind", KIND));
        api = new RunsApiClient(harvester);
    }

    @Test
    void should_start_over_the_api_with_the_kinds_own_parameter_and_refuse_another() throws Exception {
        long id = api.start("{\"pipeline\": \"test:hello\", \"params\": {\"greeting\": \"bonjour\"}}");

        await().until(() -> !status(id).equals("running"));
        assertThat(harvester.query("select pipeline, trigger, status, coalesce(error, '') as error, params::text as params"
                + " from runs where id = " + id)).containsExactly(Map.of("pipeline", "test:hello", "trigger", "api",
                "status", "completed", "error", "", "params", "{\"greeting\": \"bonjour\"}"));
    }

    @Test
    void should_refuse_a_parameter_the_kind_does_not_take_recording_nothing() throws Exception {
        long before = runs("test:hello");

        assertThat(api.post("/api/runs", "{\"pipeline\": \"test:hello\", \"params\": {\"depth\": 3}}"))
                .isEqualTo("400 {\"error\":\"test:hello takes one text parameter: greeting\",\"field\":\"params.depth\"}");
        assertThat(api.post("/api/runs", "{\"pipeline\": \"test:hello\", \"mode\": \"single\", \"step\": \"a\"}"))
                .isEqualTo("400 {\"error\":\"mode single runs one step of a job; test:hello is not a job\",\"field\":\"mode\"}");
        assertThat(runs("test:hello")).isEqualTo(before);
    }

    @Test
    void should_skip_while_live_and_cancel_over_the_api() throws Exception {
        long id = api.start("{\"pipeline\": \"test:waiting\"}");

        assertThat(api.post("/api/runs", "{\"pipeline\": \"test:waiting\"}"))
                .isEqualTo("409 {\"error\":\"pipeline test:waiting is running: run " + id + "\",\"field\":\"pipeline\"}");
        assertThat(api.post("/api/runs/" + id + "/cancel", "")).isEqualTo("200 {\"id\":" + id + ",\"status\":\"cancelled\"}");
        assertThat(harvester.query("select status, error from runs where id = " + id))
                .containsExactly(Map.of("status", "cancelled", "error", "cancelled over the API"));
        // the route's loop sees the run ended and lets go of its thread
        await().atMost(Duration.ofSeconds(10)).until(() -> harvester.context().getInflightRepository().size("test-waiting") == 0);
    }

    @Test
    void should_end_a_failing_route_failed_through_the_shared_error_handling_it_does_not_name() {
        harvester.runNow("test:broken");

        assertThat(harvester.query("select status, error from runs where pipeline = 'test:broken'"))
                .containsExactly(Map.of("status", "failed", "error", "test:broken failed: the upstream said no"));
    }

    @Test
    void should_show_the_plain_view_in_jmx_and_run_from_it() throws Exception {
        ObjectName view = new ObjectName("io.harvester:type=test,name=\"hello\"");

        assertThat(JMX.getAttribute(view, "Pipeline")).isEqualTo("test:hello");
        assertThat(JMX.getAttribute(view, "RouteId")).isEqualTo("test-hello");
        long id = (Long) JMX.invoke(view, "runNow", null, null);
        await().until(() -> status(id).equals("completed"));
        assertThat(harvester.query("select trigger from runs where id = " + id)).containsExactly(Map.of("trigger", "manual"));
    }

    @Test
    void should_follow_live_route_edits_and_release_a_removed_pipeline() throws Exception {
        ObjectName view = new ObjectName("io.harvester:type=test,name=\"added\"");
        Path file = work.resolve("added.camel.yaml");
        Files.writeString(file, """
                - route:
                    id: test-added
                    from:
                      uri: "trigger:test:added"
                      steps:
                        - log: "added"
                """);
        await().atMost(Duration.ofSeconds(20)).until(() -> JMX.isRegistered(view));
        harvester.runNow("test:added");
        assertThat(harvester.query("select status from runs where pipeline = 'test:added'"))
                .containsExactly(Map.of("status", "completed"));

        Files.delete(file);
        await().atMost(Duration.ofSeconds(20)).until(() -> !JMX.isRegistered(view));
        await().until(() -> KIND.released.contains("test:added"));
        assertThat(KIND.released).containsExactly("test:added");
    }

    private static String status(long id) {
        List<Map<String, Object>> rows = harvester.query("select status from runs where id = " + id);
        return rows.isEmpty() ? "" : (String) rows.get(0).get("status");
    }

    private static long runs(String pipeline) {
        return (Long) harvester.query("select count(*) as n from runs where pipeline = '" + pipeline + "'").get(0).get("n");
    }
}
