package io.harvester.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** GETs and POSTs to a test daemon's API with its token; answers are "status body". */
public final class RunsApiClient {

    private final HttpClient http = HttpClient.newHttpClient();
    private final int port;

    public RunsApiClient(HarvesterRuntime harvester) {
        this.port = harvester.port();
    }

    /** The API of a daemon process whose environment sets {@code HARVESTER_API_TOKEN} to {@link HarvesterRuntime#API_TOKEN}. */
    public RunsApiClient(DaemonProcess daemon) {
        this.port = daemon.port();
    }

    /** An empty body is sent bare, without Content-Type, as {@code curl -X POST} does (the cancel of docs/runs-api.md). */
    public String post(String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + HarvesterRuntime.API_TOKEN)
                .POST(body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (!body.isEmpty()) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    /** GETs a path with the token; the answer as "status body". */
    public String get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + HarvesterRuntime.API_TOKEN).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    /** Starts a run and returns its id, failing unless the answer is 202 {"id", "url"} naming it. */
    public long start(String body) throws Exception {
        String answer = post("/api/runs", body);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^202 \\{\"id\":(\\d+),\"url\":\"/api/runs/(\\d+)\"}$")
                .matcher(answer);
        if (!m.matches() || !m.group(1).equals(m.group(2))) {
            throw new AssertionError("not a started run: " + answer);
        }
        return Long.parseLong(m.group(1));
    }
}
