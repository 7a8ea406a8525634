package io.harvester.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.TestStorage;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** With PostgreSQL refusing connections, health is DOWN naming the database, and metrics are still served. */
@HarvesterDaemon(scope = HarvesterDaemon.Scope.METHOD)
class ObserveOutageTest {

    DaemonScope daemons;
    HarvesterRuntime harvester;
    @AutoClose
    FakeUpstream upstream;

    @Test
    void should_report_the_database_down_and_keep_serving_metrics() throws Exception {
        upstream = FakeUpstream.start().total(10);
        harvester = daemons.start(ExportYaml.exports().export("x", upstream.url("/orders"), Map.of()).yaml(),
                Map.of("harvester.observe.backlog-max-age-ms", "0", "harvester.observe.probe-timeout-ms", "2000"));
        String database = harvester.dbUrl().replaceAll(".*/([^/?]+).*", "$1");
        TestStorage storage = TestStorage.get();
        storage.admin("alter database " + database + " allow_connections false");
        storage.admin("select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + database + "'");
        try {
            HttpResponse<String> health = get("/observe/health");
            assertThat(health.statusCode()).isEqualTo(503);
            JsonNode root = new ObjectMapper().readTree(health.body());
            assertThat(root.get("status").asText()).isEqualTo("DOWN");
            // the default exposure lists only the checks that are DOWN: the database, not Redis
            assertThat(root.get("checks")).hasSize(1);
            JsonNode check = root.get("checks").get(0);
            assertThat(check.get("name").asText()).isEqualTo("database");
            assertThat(check.get("status").asText()).isEqualTo("DOWN");
            assertThat(check.get("message").asText()).startsWith("PostgreSQL is unreachable: ");

            HttpResponse<String> metrics = get("/observe/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            Map<String, Double> values = ObserveTest.parse(metrics.body());
            assertThat(values.get("harvester_dispatch_task_sets")).isNaN();
            assertThat(values.get("harvester_status_queue_size")).as("Redis still answers").isEqualTo(0.0);
        } finally {
            storage.admin("alter database " + database + " allow_connections true");
        }
        HttpResponse<String> health = get("/observe/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("{\"status\":\"UP\"}");
    }

    @Test
    void should_report_a_busy_pool_up_by_asking_postgresql_on_a_connection_of_its_own() throws Exception {
        upstream = FakeUpstream.start().total(10);
        harvester = daemons.start(ExportYaml.exports().export("x", upstream.url("/orders"), Map.of()).yaml(),
                Map.of("harvester.db.pool-size", "3", "harvester.observe.probe-timeout-ms", "2000"));
        javax.sql.DataSource pool = harvester.context().getRegistry().lookupByNameAndType("dataSource", javax.sql.DataSource.class);
        java.util.List<java.sql.Connection> held = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                held.add(pool.getConnection());
            }
            HttpResponse<String> health = get("/observe/health?exposureLevel=full&data=true");
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
            JsonNode database = null;
            for (JsonNode check : new ObjectMapper().readTree(health.body()).get("checks")) {
                database = "database".equals(check.get("name").asText()) ? check : database;
            }
            assertThat(database).isNotNull();
            assertThat(database.get("status").asText()).isEqualTo("UP");
            assertThat(database.get("message").asText()).isEqualTo("PostgreSQL answers (busy: all pooled connections in use)");
        } finally {
            for (java.sql.Connection connection : held) {
                connection.close();
            }
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + harvester.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
