package io.harvester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.support.DaemonProcess;
import io.harvester.support.ExportYaml;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The jar with camel-cli-connector: Camel JBang finds it through {@code <user.home>/.camel/<pid>-status.json},
 * which names the daemon's routes, and drives it through {@code <pid>-action.json} as
 * {@code camel cmd stop-route} does.
 */
class CliConnectorIT {

    private DaemonProcess harvester;

    @AfterEach
    void stop() throws Exception {
        if (harvester != null) {
            harvester.close();
        }
    }

    @Test
    void should_write_a_status_file_naming_the_routes_and_stop_a_route_on_request() throws Exception {
        harvester = DaemonProcess.prepare().prod()
                .routes("exports.camel.yaml", ExportYaml.exports().export("cli", "http://127.0.0.1:9/orders", Map.of()).yaml())
                .cliConnector().start();
        long pid = harvester.process().pid();
        Path status = harvester.home().resolve(".camel").resolve(pid + "-status.json");
        ObjectMapper json = new ObjectMapper();

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> routeStates(json, status).containsKey("export-cli"));
        Map<String, String> routes = routeStates(json, status);
        assertThat(routes).containsEntry("export-cli", "Started");
        assertThat(routes.size()).as("the daemon's own routes too").isGreaterThan(1);
        assertThat(json.readTree(status.toFile()).get("context").get("name").asText()).isEqualTo("harvester");

        // what `camel cmd stop-route export-cli` writes, whole at once: the connector would take a half-written file
        Path written = harvester.home().resolve(".camel").resolve(pid + "-action.json.tmp");
        Files.writeString(written, "{\"action\":\"route\",\"command\":\"stop\",\"id\":\"export-cli\"}");
        Files.move(written, harvester.home().resolve(".camel").resolve(pid + "-action.json"), StandardCopyOption.ATOMIC_MOVE);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> "Stopped".equals(routeStates(json, status).get("export-cli")));
    }

    /** Route id to state, from the status file as far as it is written; empty while it is not (yet). */
    private static Map<String, String> routeStates(ObjectMapper json, Path status) {
        try {
            JsonNode routes = json.readTree(status.toFile()).get("routes");
            Map<String, String> states = new java.util.HashMap<>();
            if (routes != null) {
                for (JsonNode route : routes) {
                    states.put(route.get("routeId").asText(), route.get("state").asText());
                }
            }
            return states;
        } catch (Exception notWrittenYet) {
            return Map.of();
        }
    }
}
