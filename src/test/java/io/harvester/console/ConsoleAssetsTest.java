package io.harvester.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.harvester.support.DaemonScope;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import org.junit.jupiter.api.Test;

/** The console's files are served from the jar, and nothing else is: no file of the working directory. */
@HarvesterDaemon(scope = HarvesterDaemon.Scope.METHOD)
class ConsoleAssetsTest {

    DaemonScope daemons;
    HarvesterRuntime harvester;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void should_serve_the_console_and_nothing_but_its_own_files() throws Exception {
        harvester = daemons.start("[]", Map.of());

        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(page.body()).contains("<title>Harvester</title>").contains("<script src=\"/console/console.js\"></script>");
        HttpResponse<String> script = get("/console/console.js");
        assertThat(script.statusCode() + " " + script.headers().firstValue("Content-Type").orElse(""))
                .isEqualTo("200 text/javascript; charset=utf-8");
        assertThat(script.body()).isEqualTo(resource("console.js"));
        assertThat(get("/console/console.css").statusCode()).isEqualTo(200);

        // the working directory holds the daemon's properties (and in dev its API token): never served
        assertThat(Path.of("application.properties")).exists();
        for (String path : new String[] {"/application.properties", "/console/application.properties", "/console/..%2fapplication.properties",
                "/console/%2e%2e%2fapplication.properties", "/console/log4j2.xml", "/pom.xml", "/?asset=..%2fpom.xml"}) {
            HttpResponse<String> refused = get(path);
            assertThat(refused.statusCode()).as(path).isEqualTo(404);
            assertThat(refused.body()).as(path).doesNotContain("camel.");
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + harvester.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String resource(String name) throws Exception {
        return Files.readString(Path.of("src/main/resources/console", name));
    }
}
