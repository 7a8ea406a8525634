package io.harvester.runs.api;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import io.harvester.support.HarvesterRuntime;

/** POSTs to a test daemon's API with its token; answers are "status body". */
final class RunsApiClient {

    private final HttpClient http = HttpClient.newHttpClient();
    private final int port;

    RunsApiClient(HarvesterRuntime harvester) {
        this.port = harvester.port();
    }

    String post(String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + HarvesterRuntime.API_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    /** Starts a run and returns its id, failing unless the answer is 202 {"id", "url"} naming it. */
    long start(String body) throws Exception {
        String answer = post("/api/runs", body);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^202 \\{\"id\":(\\d+),\"url\":\"/api/runs/(\\d+)\"}$")
                .matcher(answer);
        if (!m.matches() || !m.group(1).equals(m.group(2))) {
            throw new AssertionError("not a started run: " + answer);
        }
        return Long.parseLong(m.group(1));
    }
}
