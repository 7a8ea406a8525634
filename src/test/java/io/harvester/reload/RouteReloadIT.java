package io.harvester.reload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.support.DaemonProcess;
import org.junit.jupiter.api.Test;

/**
 * The built jar on its dev profile (live edits on by default) in a folder laid out as docs/layout.md says:
 * the shipped demo export's file is edited while it runs, and runs started over the API show the result.
 */
class RouteReloadIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEMO_EXPORT = "routes/demo/demo-export.camel.yaml";
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void should_apply_an_edit_of_the_demo_export_and_keep_it_through_a_broken_one() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.prepare()) {
            daemon.start("-Dharvester.demo.run-at-startup=false");
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> !daemon.process().isAlive()
                            || daemon.log().contains("Live route edits: route files saved, added or deleted under routes")
                            && daemon.log().contains("Apache Camel 4.17.0 (harvester) started"));
            assertThat(daemon.process().isAlive()).as("the daemon started; it said:%n%s", daemon.console()).isTrue();
            String token = Files.readString(daemon.folder().resolve("data").resolve("api-token")).strip();
            assertThat(run(daemon, token).get("params").get("pageSize").asInt()).isEqualTo(250);

            Path file = daemon.folder().resolve(DEMO_EXPORT);
            String shipped = Files.readString(file);
            Files.writeString(file, shipped.replace("value: \"{{harvester.demo.page-size}}\"", "value: \"500\""));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> daemon.log()
                    .contains("RouteFileReload - Route file " + DEMO_EXPORT + " reloaded: routes [export-demo-orders]"));
            assertThat(run(daemon, token).get("params").get("pageSize").asInt()).isEqualTo(500);

            Files.writeString(file, shipped.replace("  parameters:", "  parameters: [unclosed"));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> !daemon.errorLines().isEmpty());
            List<String> errors = daemon.errorLines();
            assertThat(errors).hasSize(1);
            assertThat(errors.get(0)).contains("RouteFileReload - Route file " + DEMO_EXPORT
                    + " not reloaded, its previous routes keep running: not valid YAML: ").contains(DEMO_EXPORT + ", line ");
            JsonNode afterBrokenEdit = run(daemon, token);
            assertThat(afterBrokenEdit.get("params").get("pageSize").asInt()).isEqualTo(500);
            assertThat(afterBrokenEdit.get("status").asText()).isEqualTo("completed");
        }
    }

    /** Starts the demo export over the API and returns its run once it has ended. */
    private JsonNode run(DaemonProcess daemon, String token) throws Exception {
        HttpResponse<String> started = http.send(request(daemon, token, "/api/runs")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"pipeline\": \"export:demo-orders\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        long id = JSON.readTree(started.body()).get("id").asLong();
        JsonNode[] run = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            run[0] = JSON.readTree(http.send(request(daemon, token, "/api/runs/" + id).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            return !List.of("pending", "running").contains(run[0].get("status").asText());
        });
        assertThat(run[0].get("status").asText()).isEqualTo("completed");
        return run[0];
    }

    private static HttpRequest.Builder request(DaemonProcess daemon, String token, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.port() + path))
                .header("Authorization", "Bearer " + token);
    }
}
