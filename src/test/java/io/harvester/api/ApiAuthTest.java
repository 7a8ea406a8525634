package io.harvester.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.harvester.support.DaemonScope;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import org.apache.camel.spi.RestRegistry;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint the REST DSL serves under /api, whichever capability declared it, refuses a request
 * without the token, with a wrong one, and when no token is configured; a new endpoint whose route forgot
 * the harvester-api route configuration fails here.
 */
@HarvesterDaemon(scope = HarvesterDaemon.Scope.METHOD)
class ApiAuthTest {

    DaemonScope daemons;
    HarvesterRuntime harvester;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void should_refuse_every_api_endpoint_without_the_right_token() throws Exception {
        harvester = daemons.start("[]", Map.of());
        List<String> refused = new ArrayList<>();
        for (RestRegistry.RestService service : endpoints()) {
            refused.add(service.getMethod().toUpperCase() + " " + path(service) + " " + answer(service, null) + " / " + answer(service, "wrong"));
        }
        assertThat(refused).hasSizeGreaterThanOrEqualTo(2).allMatch(line -> line.endsWith(
                " 401 {\"error\":\"missing API token: send Authorization: Bearer <token>\"} / 401 {\"error\":\"wrong API token\"}"), "refused");
        assertThat(refused).anyMatch(line -> line.startsWith("POST /api/tasks/status "))
                .anyMatch(line -> line.startsWith("POST /api/tasks/delayed "))
                .anyMatch(line -> line.startsWith("GET /api/runs/1/files/1 "))
                .anyMatch(line -> line.startsWith("DELETE /api/runs/1 "))
                .anyMatch(line -> line.startsWith("GET /api/openapi.json "))
                .anyMatch(line -> line.startsWith("POST /api/runs "))
                .anyMatch(line -> line.startsWith("POST /api/runs/1/cancel "));
    }

    @Test
    void should_refuse_everything_when_no_token_is_configured() throws Exception {
        harvester = daemons.start("[]", Map.of("harvester.api.token", "", "harvester.api.generate-token", "false"));
        for (RestRegistry.RestService service : endpoints()) {
            assertThat(answer(service, "")).as(service.getMethod() + " " + path(service))
                    .isEqualTo("401 {\"error\":\"the API is closed: no API token is configured (HARVESTER_API_TOKEN)\"}");
        }
    }

    private List<RestRegistry.RestService> endpoints() {
        return harvester.context().getRestRegistry().listAllRestServices().stream()
                .filter(s -> path(s).startsWith("/api/")).toList();
    }

    private static String path(RestRegistry.RestService service) {
        // path parameters get a value of their own (before parsing: braces are not allowed in a URI)
        return URI.create(service.getUrl().replaceAll("\\{[^}]+}", "1")).getPath();
    }

    private String answer(RestRegistry.RestService service, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + harvester.port() + path(service)))
                .header("Content-Type", "application/json")
                .method(service.getMethod().toUpperCase(), HttpRequest.BodyPublishers.ofString("{}"));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }
}
