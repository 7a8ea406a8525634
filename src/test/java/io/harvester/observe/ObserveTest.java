package io.harvester.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.FakeUpstream.Answer;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.runs.TriggerKind;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * /observe/metrics counts runs, rows, pages and lookups exactly; the breaker's JMX view under its stable
 * name stops and resumes an export; /observe/health stays UP with a breaker open and names it degraded.
 * Each test has pipelines of its own, so their counts do not mix.
 */
@HarvesterDaemon
class ObserveTest {

    static DaemonScope daemons;
    static HarvesterRuntime harvester;
    @AutoClose
    static FakeUpstream upstream;

    static FakeUpstream guarded;
    static FakeUpstream broken;

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.start().total(250).tree(2, 2);
        guarded = FakeUpstream.start().total(30);
        broken = FakeUpstream.start().total(30).always(Answer.status(500));
        harvester = daemons.start(ExportYaml.exports()
                .export("x", upstream.url("/orders"), Map.of("pageSize", "100"))
                .export("broken", broken.url("/orders"), Map.of("pageSize", "10", "retries", "0"))
                .export("guarded", guarded.url("/orders"), Map.of("pageSize", "10"))
                .export("reloaded", guarded.url("/orders"), Map.of("pageSize", "10"))
                .export("busy", broken.url("/orders"), Map.of("pageSize", "10"))
                .export("linted", upstream.url("/orders"), Map.of("pageSize", "100"))
                .route("hierarchy-crawl", "crawl-tree", "tree", upstream.url("/tree"), Map.of("depth", "2", "maxInFlight", "7"))
                .route("hierarchy-crawl", "crawl-linted", "linted", upstream.url("/tree"), Map.of("depth", "2")),
                Map.of());
    }

    @AfterAll
    static void stopUpstreams() {
        guarded.close();
        broken.close();
    }

    @Test
    void should_count_an_exports_run_rows_and_pages_and_a_failed_run() throws Exception {
        harvester.runNow("export:x");
        harvester.runNow("export:broken");

        assertThat(harvester.onlyRun("export:x").get("status")).isEqualTo("completed");
        assertThat(harvester.onlyRun("export:broken").get("status")).isEqualTo("failed");
        String scrape = get("/observe/metrics").body();
        assertThat(scrape).contains("harvester_runs_total{pipeline=\"export:x\",status=\"completed\"} 1.0\n");
        Map<String, Double> metrics = parse(scrape);
        assertThat(metrics.get("harvester_runs_total{pipeline=\"export:x\",status=\"completed\"}")).isEqualTo(1.0);
        assertThat(metrics.get("harvester_export_rows_total{pipeline=\"export:x\"}")).isEqualTo(250.0);
        assertThat(metrics.get("harvester_export_pages_total{pipeline=\"export:x\"}")).isEqualTo(3.0);
        assertThat(metrics.get("harvester_run_duration_seconds_count{pipeline=\"export:x\",status=\"completed\"}")).isEqualTo(1.0);
        assertThat(metrics.get("harvester_runs_total{pipeline=\"export:broken\",status=\"failed\"}")).isEqualTo(1.0);
        assertThat(metrics).doesNotContainKey("harvester_runs_total{pipeline=\"export:broken\",status=\"completed\"}");
        assertThat(metrics.get("harvester_breaker_state{pipeline=\"export:x\",state=\"CLOSED\"}")).isEqualTo(1.0);
        assertThat(metrics.get("harvester_breaker_state{pipeline=\"export:x\",state=\"OPEN\"}")).isEqualTo(0.0);
        // Camel's own route meters are in the same scrape
        assertThat(metrics.keySet()).anyMatch(name -> name.startsWith("camel_exchanges_total{") && name.contains("routeId=\"export-x\""));
        // no task sets, an empty status list, both read from the test's Redis
        assertThat(metrics.get("harvester_dispatch_task_sets")).isEqualTo(0.0);
        assertThat(metrics.get("harvester_dispatch_task_set_members")).isEqualTo(0.0);
        assertThat(metrics.get("harvester_status_queue_size")).isEqualTo(0.0);
    }

    @Test
    void should_give_every_harvester_metric_help_text_and_a_promtool_clean_name() throws Exception {
        harvester.runNow("export:linted");
        harvester.runNow("crawl:linted");

        String scrape = get("/observe/metrics").body();
        assertThat(PrometheusLint.problems(scrape, "harvester_")).as("promtool check metrics, for Harvester's own families").isEmpty();
        // Camel's meters keep their names (routeId labels and all: dashboards use them) but get help text too
        assertThat(PrometheusLint.problems(scrape, "")).as("families of the whole scrape without help text")
                .noneMatch(problem -> problem.endsWith(": no help text"));
        assertThat(PrometheusLint.families(scrape, "harvester_")).containsOnlyKeys(
                "harvester_runs_total", "harvester_run_duration_seconds", "harvester_run_duration_seconds_max",
                "harvester_export_rows_total", "harvester_export_pages_total", "harvester_crawl_lookups_total",
                "harvester_crawl_limit", "harvester_breaker_state", "harvester_dispatch_task_sets", "harvester_instances_alive",
                "harvester_dispatch_task_set_members", "harvester_status_queue_size");
    }

    @Test
    void should_count_a_crawls_lookups_and_show_its_limit() throws Exception {
        harvester.runNow("crawl:tree");

        assertThat(harvester.onlyRun("crawl:tree").get("status")).isEqualTo("completed");
        Map<String, Double> metrics = parse(get("/observe/metrics").body());
        // depth 2, branching 2: the root call and the lookups of its two children
        assertThat(metrics.get("harvester_crawl_lookups_total{pipeline=\"crawl:tree\"}")).isEqualTo(3.0);
        assertThat(metrics.get("harvester_crawl_limit{pipeline=\"crawl:tree\"}")).isEqualTo(7.0);
        assertThat(metrics.get("harvester_runs_total{pipeline=\"crawl:tree\",status=\"completed\"}")).isEqualTo(1.0);
    }

    @Test
    void should_refuse_runs_while_forced_open_over_jmx_and_report_degraded_health() throws Exception {
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.harvester:type=breaker,kind=export,name=\"guarded\"");
        assertThat(jmx.getAttribute(name, "State")).isEqualTo("CLOSED");

        jmx.invoke(name, "transitionToForcedOpenState", new Object[0], new String[0]);
        harvester.runNow("export:guarded");

        Map<String, Object> refused = harvester.onlyRun("export:guarded");
        assertThat(refused.get("status")).isEqualTo("failed");
        assertThat((String) refused.get("error")).contains("circuit breaker is open");
        assertThat(guarded.requests()).isZero();
        assertThat(jmx.getAttribute(name, "State")).isEqualTo("FORCED_OPEN");
        assertThat(jmx.getAttribute(name, "NotPermittedCalls")).isEqualTo(1L);
        assertThat(parse(get("/observe/metrics").body()).get("harvester_breaker_state{pipeline=\"export:guarded\",state=\"FORCED_OPEN\"}"))
                .isEqualTo(1.0);

        HttpResponse<String> health = get("/observe/health?exposureLevel=full&data=true");
        assertThat(health.statusCode()).isEqualTo(200);
        JsonNode root = new ObjectMapper().readTree(health.body());
        assertThat(root.get("status").asText()).isEqualTo("UP");
        JsonNode check = check(root, "breaker:export:guarded");
        assertThat(check.get("status").asText()).isEqualTo("UP");
        assertThat(check.get("message").asText()).isEqualTo("degraded: circuit breaker FORCED_OPEN, calls to its API are refused");
        assertThat(check.get("data").get("state").asText()).isEqualTo("FORCED_OPEN");
        assertThat(check.get("data").get("degraded").asBoolean()).isTrue();
        assertThat(check(root, "breaker:export:x").get("data").get("degraded").asBoolean()).isFalse();
        assertThat(check(root, "database").get("status").asText()).isEqualTo("UP");
        assertThat(check(root, "redis").get("status").asText()).isEqualTo("UP");

        jmx.invoke(name, "transitionToClosedState", new Object[0], new String[0]);
        harvester.runNow("export:guarded");

        assertThat(harvester.query("select status from runs where pipeline = 'export:guarded' order by id"))
                .containsExactly(Map.of("status", "failed"), Map.of("status", "completed"));
        assertThat(guarded.requests()).isEqualTo(3);
        assertThat(jmx.getAttribute(name, "State")).isEqualTo("CLOSED");
        assertThat(jmx.getAttribute(name, "BufferedCalls")).isEqualTo(3);
    }

    @Test
    void should_count_a_trigger_skipped_because_a_run_is_live() throws Exception {
        // another instance's live run of the pipeline (beating now): this instance's cron tick is skipped
        harvester.execute("insert into runs (pipeline, status, trigger, started_at, heartbeat_at, owner)"
                + " values ('export:busy', 'running', 'manual', now(), now(), 'another-instance')");

        harvester.fire("export:busy", TriggerKind.SCHEDULE, Map.of());

        assertThat(harvester.query("select status from runs where pipeline = 'export:busy' order by id"))
                .containsExactly(Map.of("status", "running"), Map.of("status", "skipped"));
        Map<String, Double> metrics = parse(get("/observe/metrics").body());
        assertThat(metrics.get("harvester_runs_total{pipeline=\"export:busy\",status=\"skipped\"}")).isEqualTo(1.0);
        assertThat(metrics.get("harvester_run_duration_seconds_sum{pipeline=\"export:busy\",status=\"skipped\"}")).isEqualTo(0.0);
    }

    @Test
    void should_follow_a_route_removed_and_added_again_to_its_new_breaker() throws Exception {
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.harvester:type=breaker,kind=export,name=\"reloaded\"");
        jmx.invoke(name, "transitionToForcedOpenState", new Object[0], new String[0]);
        CamelContext context = harvester.context();

        context.getRouteController().stopRoute("export-reloaded");
        context.removeRoute("export-reloaded");

        assertThat(jmx.isRegistered(name)).isFalse();
        assertThat(parse(get("/observe/metrics").body()).keySet()).noneMatch(key -> key.contains("export:reloaded"));

        // a live reload adds the route anew: a new breaker, closed, under the same name
        context.addRouteFromTemplate("export-reloaded", "paged-export",
                Map.of("name", "reloaded", "url", guarded.url("/orders"), "pageSize", "10"));
        context.getRouteController().startRoute("export-reloaded");

        assertThat(jmx.getAttribute(name, "State")).isEqualTo("CLOSED");
        assertThat(parse(get("/observe/metrics").body()).get("harvester_breaker_state{pipeline=\"export:reloaded\",state=\"CLOSED\"}"))
                .isEqualTo(1.0);
        JsonNode health = new ObjectMapper().readTree(get("/observe/health?exposureLevel=full&data=true").body());
        assertThat(check(health, "breaker:export:reloaded").get("data").get("state").asText()).isEqualTo("CLOSED");
    }

    private static JsonNode check(JsonNode health, String name) {
        for (JsonNode check : health.get("checks")) {
            if (check.get("name").asText().equals(name)) {
                return check;
            }
        }
        throw new AssertionError("no health check " + name + " in " + health);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + harvester.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Prometheus text: {@code name{labels} value} lines, comments left out. */
    static Map<String, Double> parse(String scrape) {
        Map<String, Double> values = new HashMap<>();
        for (String line : List.of(scrape.split("\n"))) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            values.put(line.substring(0, space), Double.valueOf(line.substring(space + 1)));
        }
        return values;
    }
}
