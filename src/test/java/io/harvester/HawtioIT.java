package io.harvester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.support.DaemonProcess;
import io.harvester.support.ExportYaml;
import io.harvester.support.TestPorts;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.Test;

/**
 * The standalone Hawtio (io.hawt:hawtio-app, as docs/operations.md runs it) in front of the jar, both real processes:
 * what Hawtio's page sends through Hawtio's proxy, with the browser's Origin, Referer and Sec-Fetch-Site
 * (the proxy forwards them as they come), lists and stops Harvester's routes when
 * harvester.jolokia.allowed-origins names the page's origin, and is refused for any other origin.
 */
class HawtioIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String ROUTE_IDS = "{\"type\":\"read\",\"mbean\":\"org.apache.camel:type=routes,*\",\"attribute\":\"RouteId\"}";

    @Test
    void should_list_and_stop_the_routes_through_hawtio_s_proxy_for_the_allowed_origin_only() throws Exception {
        int hawtioPort = TestPorts.next();
        String hawtioPage = "http://localhost:" + hawtioPort;
        Path hawtioFolder = Files.createTempDirectory("hawtio");
        Process hawtio = null;
        try (DaemonProcess harvester = DaemonProcess.prepare().prod()
                .routes("exports.camel.yaml", ExportYaml.exports().export("hawtio", "http://127.0.0.1:9/orders", Map.of()).yaml())) {
            // both start at once; each is waited for below
            harvester.start("-Dharvester.jolokia.allowed-origins=" + hawtioPage);
            hawtio = startHawtio(hawtioFolder, hawtioPort);
            String proxy = hawtioPage + "/hawtio/proxy/http/127.0.0.1/" + harvester.port() + "/observe/jolokia";
            awaitHawtio(hawtio, hawtioFolder, hawtioPage);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> routeIds(direct(harvester, ROUTE_IDS)).contains("export-hawtio"));
            harvester.awaitHealthy(Duration.ofSeconds(120));
            assertThat(hawtio.isAlive()).isTrue();

            // Hawtio's page (Connect > Remote: 127.0.0.1, port, /observe/jolokia) posts through its own server
            HttpResponse<String> listed = asHawtiosPage(proxy, hawtioPage, ROUTE_IDS);
            assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
            Set<String> routes = routeIds(listed.body());
            assertThat(routes).contains("export-hawtio", "dispatch-generate", "run-heartbeat", "api-tasks-status")
                    .isEqualTo(routeIds(direct(harvester, ROUTE_IDS)));

            // and acts: a bulk request, as Hawtio sends them, stopping the export's route and reading its state
            String exportRoute = JSON.writeValueAsString(mbeanOf(listed.body(), "export-hawtio"));
            HttpResponse<String> stopped = asHawtiosPage(proxy, hawtioPage, "[{\"type\":\"exec\",\"mbean\":" + exportRoute
                    + ",\"operation\":\"stop()\"},{\"type\":\"read\",\"mbean\":" + exportRoute + ",\"attribute\":\"State\"}]");
            assertThat(stopped.statusCode()).as(stopped.body()).isEqualTo(200);
            JsonNode bulk = JSON.readTree(stopped.body());
            assertThat(bulk.get(0).path("status").asInt()).as(stopped.body()).isEqualTo(200);
            assertThat(bulk.get(1).path("value").asText()).isEqualTo("Stopped");

            // the same Hawtio opened under another name, and a page of another site: not in allowed-origins
            for (String[] origin : new String[][] {{"http://127.0.0.1:" + hawtioPort, "http://127.0.0.1:" + hawtioPort},
                    {"http://evil.example", "http://evil.example:80"}}) {
                HttpResponse<String> refused = asHawtiosPage(proxy, origin[0], ROUTE_IDS);
                assertThat(refused.statusCode()).as(origin[0]).isEqualTo(403);
                assertThat(refused.body()).as(origin[0]).isEqualTo("{\"status\":403,\"error\":\"requests from web pages of"
                        + " other sites are refused (Origin " + origin[1] + " is not in harvester.jolokia.allowed-origins)\"}");
            }
        } finally {
            stop(hawtio);
            delete(hawtioFolder);
        }
    }

    /**
     * java -Dhawtio.localAddressProbing=false -jar hawtio-app-2.17.7.jar --host 127.0.0.1 --port N --openUrl false,
     * as docs/operations.md has it; user.home and java.io.tmpdir (its unpacked war and Jetty's files) in a folder of its own,
     * the quick compiler alone (as for the daemon, DaemonProcess).
     */
    private static Process startHawtio(Path folder, int port) throws IOException {
        List<String> command = new ArrayList<>(List.of("java", "-XX:TieredStopAtLevel=1", "-Duser.home=" + folder, "-Djava.io.tmpdir=" + folder,
                "-Dhawtio.localAddressProbing=false", "-jar", System.getProperty("hawtio.jar"),
                "--host", "127.0.0.1", "--port", String.valueOf(port), "--openUrl", "false"));
        return new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true)
                .redirectOutput(folder.resolve("console.log").toFile()).start();
    }

    /** Until Hawtio's proxy answers; its console in the failure when it does not within a minute. */
    private static void awaitHawtio(Process hawtio, Path folder, String page) throws IOException {
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .failFast(() -> !hawtio.isAlive())
                    .until(() -> "true".equals(get(page + "/hawtio/proxy/enabled").body().strip()));
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            throw new AssertionError("Hawtio did not answer at " + page + " (alive: " + hawtio.isAlive() + "); its console:\n"
                    + Files.readString(folder.resolve("console.log")), e);
        }
    }

    /** A POST as Hawtio's page sends it from the browser: its Jolokia client's body and type, the browser's headers. */
    private static HttpResponse<String> asHawtiosPage(String proxy, String origin, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(proxy)).header("Content-Type", "text/json")
                .header("Origin", origin).header("Referer", origin + "/hawtio/jmx/attributes?nid=root-org.apache.camel")
                .header("Sec-Fetch-Site", "same-origin").header("Sec-Fetch-Mode", "cors")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The same request from this machine's own tools: no browser, no Origin. */
    private static String direct(DaemonProcess harvester, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + harvester.port() + "/observe/jolokia"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The route ids of a read of RouteId over org.apache.camel:type=routes,*. */
    private static Set<String> routeIds(String readAnswer) throws IOException {
        Set<String> ids = new TreeSet<>();
        JSON.readTree(readAnswer).path("value").forEach(attributes -> ids.add(attributes.path("RouteId").asText()));
        return ids;
    }

    private static String mbeanOf(String readAnswer, String routeId) throws IOException {
        JsonNode value = JSON.readTree(readAnswer).path("value");
        return value.properties().stream().filter(e -> routeId.equals(e.getValue().path("RouteId").asText()))
                .map(Map.Entry::getKey).findFirst().orElseThrow();
    }

    private static void stop(Process process) throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static void delete(Path folder) throws IOException {
        try (Stream<Path> all = Files.walk(folder)) {
            all.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }
}
