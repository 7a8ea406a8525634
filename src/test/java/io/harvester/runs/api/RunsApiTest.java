package io.harvester.runs.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.OrderRecords;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The read side of the runs API on the real daemon (PostgreSQL, Redis, platform-http): exact statuses and
 * bodies of every endpoint and each of its errors. Runs with fixed times are written straight into the
 * tables, so their answers can be spelled out; downloads serve the CSV of a real export run.
 */
@HarvesterDaemon(scope = HarvesterDaemon.Scope.METHOD)
class RunsApiTest {

    DaemonScope daemons;
    HarvesterRuntime harvester;
    @AutoClose
    FakeUpstream upstream;

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    /** Four runs of two pipelines, with steps and logs, ids 1001 to 1004 (the sequence starts far below). */
    private void fixtureRuns() {
        harvester.execute("""
                insert into runs (id, pipeline, status, trigger, progress, current_step, error, params, owner, created_at, started_at, finished_at) values
                (1001, 'export:a', 'completed', 'schedule', 100, 'publish', null, '{"pageSize": 10}', 'node-1',
                 '2030-01-01T00:00:00Z', '2030-01-01T00:00:01Z', '2030-01-01T00:00:03.5Z'),
                (1002, 'export:b', 'failed', 'api', 40, 'fetch', 'export b: page 3 failed: 500', '{}', 'node-1',
                 '2030-01-02T00:00:00Z', '2030-01-02T00:00:00Z', '2030-01-02T00:01:00Z'),
                (1003, 'export:a', 'running', 'manual', 10, 'fetch', null, '{}', 'node-1',
                 '2030-01-03T00:00:00Z', '2030-01-03T00:00:00Z', null),
                (1004, 'export:b', 'skipped', 'schedule', 0, null, 'skipped: run 1002 is still in progress', '{}', 'node-1',
                 '2030-01-04T00:00:00Z', '2030-01-04T00:00:00Z', '2030-01-04T00:00:00Z');
                insert into run_steps (run_id, ordinal, name, status, records, started_at, finished_at, error, result) values
                (1001, 1, 'fetch', 'completed', 3, '2030-01-01T00:00:01Z', '2030-01-01T00:00:02Z', null, '{"pagesFetched": 3}'),
                (1001, 2, 'publish', 'completed', 30, '2030-01-01T00:00:02Z', '2030-01-01T00:00:03.5Z', null, null),
                (1002, 1, 'fetch', 'failed', 2, '2030-01-02T00:00:00Z', '2030-01-02T00:01:00Z', 'page 3 failed: 500', null);
                insert into run_logs (id, run_id, step, level, message, ts) values
                (501, 1002, 'fetch', 'INFO', 'page 1', '2030-01-02T00:00:10Z'),
                (502, 1002, 'fetch', 'WARN', 'page 3 retried', '2030-01-02T00:00:20Z'),
                (503, 1002, null, 'ERROR', 'export b: page 3 failed: 500', '2030-01-02T00:01:00Z'),
                (504, 1001, 'fetch', 'INFO', 'other run', '2030-01-01T00:00:02Z');
                """);
    }

    /** A daemon with export orders (30 records in 3 pages), run once: one CSV in output/orders. */
    private void exportOrders() {
        upstream = FakeUpstream.start().total(30);
        harvester = daemons.start(ExportYaml.exports().export("orders", upstream.url("/orders"),
                Map.of("pageSize", "10")).yaml(), Map.of());
        harvester.runNow("export:orders");
        long run = (Long) harvester.query("select id from runs where pipeline = 'export:orders'").get(0).get("id");
        // the run's log file (runs/<id>.log, an output of the run) once the log writer has taken its last line
        Path log = harvester.outputDir().resolve("orders/runs/" + run + ".log");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.isRegularFile(log)
                && Files.readString(log).contains("Export orders run " + run + " completed")
                && harvester.query("select bytes from run_outputs where run_id = " + run + " and not \"primary\"")
                .equals(List.of(Map.of("bytes", Files.size(log)))));
    }

    private static String summary1001() {
        return """
                {"id": 1001, "pipeline": "export:a", "status": "completed", "trigger": "schedule", "progress": 100,
                 "currentStep": "publish", "error": null, "createdAt": "2030-01-01T00:00:00Z", "startedAt": "2030-01-01T00:00:01Z",
                 "finishedAt": "2030-01-01T00:00:03.500Z", "durationMs": 2500, "records": null, "owner": "node-1"}""";
    }

    private static String summary1002() {
        return """
                {"id": 1002, "pipeline": "export:b", "status": "failed", "trigger": "api", "progress": 40, "currentStep": "fetch",
                 "error": "export b: page 3 failed: 500", "createdAt": "2030-01-02T00:00:00Z", "startedAt": "2030-01-02T00:00:00Z",
                 "finishedAt": "2030-01-02T00:01:00Z", "durationMs": 60000, "records": null, "owner": "node-1"}""";
    }

    private static String summary1004() {
        return """
                {"id": 1004, "pipeline": "export:b", "status": "skipped", "trigger": "schedule", "progress": 0, "currentStep": null,
                 "error": "skipped: run 1002 is still in progress", "createdAt": "2030-01-04T00:00:00Z",
                 "startedAt": "2030-01-04T00:00:00Z", "finishedAt": "2030-01-04T00:00:00Z", "durationMs": 0, "records": null, "owner": "node-1"}""";
    }

    @Test
    void should_list_show_and_tail_runs_and_name_each_bad_parameter() throws Exception {
        harvester = daemons.start("[]", Map.of());
        fixtureRuns();

        assertJson(get("/api/runs?pipeline=export:b"), 200, "{\"runs\": [" + summary1004() + ", " + summary1002() + "], \"limit\": 50, \"offset\": 0}");
        assertJson(get("/api/runs?status=completed"), 200, "{\"runs\": [" + summary1001() + "], \"limit\": 50, \"offset\": 0}");
        assertJson(get("/api/runs?since=2030-01-02T00:00:00Z&status=failed"), 200,
                "{\"runs\": [" + summary1002() + "], \"limit\": 50, \"offset\": 0}");
        assertJson(get("/api/runs?limit=1&offset=2"), 200, "{\"runs\": [" + summary1002() + "], \"limit\": 1, \"offset\": 2}");
        // a part of the name in any letter case, a trigger, a window of creation times
        assertJson(get("/api/runs?search=T:B&trigger=schedule"), 200, "{\"runs\": [" + summary1004() + "], \"limit\": 50, \"offset\": 0}");
        assertJson(get("/api/runs?search=xport&since=2030-01-02T00:00:00Z&until=2030-01-03T00:00:00Z"), 200,
                "{\"runs\": [" + summary1002() + "], \"limit\": 50, \"offset\": 0}");
        assertJson(get("/api/runs?search=_"), 200, "{\"runs\": [], \"limit\": 50, \"offset\": 0}");
        assertJson(get("/api/runs?trigger=cron"), 400, "{\"error\": \"trigger must be one of schedule, api, startup, manual, not 'cron'\","
                + " \"field\": \"trigger\"}");
        assertThat(JSON.readTree(get("/api/runs").substring(4)).get("runs").findValuesAsText("id"))
                .containsExactly("1004", "1003", "1002", "1001");
        assertThat(JSON.readTree(get("/api/runs/active").substring(4)).get("runs").findValuesAsText("id")).containsExactly("1003");

        assertJson(get("/api/runs?limit=501"), 400, "{\"error\": \"limit must be between 1 and 500, not 501\", \"field\": \"limit\"}");
        assertJson(get("/api/runs?limit=0"), 400, "{\"error\": \"limit must be between 1 and 500, not 0\", \"field\": \"limit\"}");
        assertJson(get("/api/runs?offset=-1"), 400,
                "{\"error\": \"offset must be between 0 and 9223372036854775807, not -1\", \"field\": \"offset\"}");
        assertJson(get("/api/runs?offset=x"), 400, "{\"error\": \"offset must be a whole number, not 'x'\", \"field\": \"offset\"}");
        assertJson(get("/api/runs?status=done"), 400, "{\"error\": \"status must be one of pending, running, completed, partial,"
                + " failed, skipped, abandoned, interrupted, cancelled, not 'done'\", \"field\": \"status\"}");
        assertJson(get("/api/runs?since=yesterday"), 400, "{\"error\": \"since must be an ISO-8601 time with its offset, such as"
                + " 2030-01-01T00:00:00Z, not 'yesterday'\", \"field\": \"since\"}");

        assertJson(get("/api/runs/1001"), 200, summary1001().substring(0, summary1001().length() - 1) + """
                , "params": {"pageSize": 10}, "owner": "node-1", "takeovers": 0, "resumedFrom": null, "blockedBy": null, "heartbeatAt": null,
                "steps": [
                  {"ordinal": 1, "name": "fetch", "status": "completed", "attempt": 1, "records": 3, "startedAt": "2030-01-01T00:00:01Z",
                   "finishedAt": "2030-01-01T00:00:02Z", "error": null, "result": {"pagesFetched": 3}, "durationMs": 1000},
                  {"ordinal": 2, "name": "publish", "status": "completed", "attempt": 1, "records": 30, "startedAt": "2030-01-01T00:00:02Z",
                   "finishedAt": "2030-01-01T00:00:03.500Z", "error": null, "result": null, "durationMs": 1500}],
                "outputs": []}""");
        assertJson(get("/api/runs/42"), 404, "{\"error\": \"run 42 does not exist\"}");
        assertJson(get("/api/runs/abc"), 400, "{\"error\": \"a run id is a positive whole number, not 'abc'\", \"field\": \"id\"}");

        assertJson(get("/api/runs/1002/logs"), 200, """
                {"logs": [{"id": 501, "ts": "2030-01-02T00:00:10Z", "level": "INFO", "step": "fetch", "message": "page 1"},
                          {"id": 502, "ts": "2030-01-02T00:00:20Z", "level": "WARN", "step": "fetch", "message": "page 3 retried"},
                          {"id": 503, "ts": "2030-01-02T00:01:00Z", "level": "ERROR", "step": null, "message": "export b: page 3 failed: 500"}],
                 "after": 503}""");
        assertJson(get("/api/runs/1002/logs?after=501&limit=1"), 200, """
                {"logs": [{"id": 502, "ts": "2030-01-02T00:00:20Z", "level": "WARN", "step": "fetch", "message": "page 3 retried"}], "after": 502}""");
        assertJson(get("/api/runs/1002/logs?level=warn&step=fetch"), 200, """
                {"logs": [{"id": 502, "ts": "2030-01-02T00:00:20Z", "level": "WARN", "step": "fetch", "message": "page 3 retried"}], "after": 502}""");
        assertJson(get("/api/runs/1002/logs?after=503"), 200, "{\"logs\": [], \"after\": 503}");
        assertJson(get("/api/runs/1002/logs?level=loud"), 400,
                "{\"error\": \"level must be one of TRACE, DEBUG, INFO, WARN, ERROR, not 'loud'\", \"field\": \"level\"}");
        assertJson(get("/api/runs/1002/logs?limit=1001"), 400,
                "{\"error\": \"limit must be between 1 and 1000, not 1001\", \"field\": \"limit\"}");
        assertJson(get("/api/runs/42/logs"), 404, "{\"error\": \"run 42 does not exist\"}");
    }

    @Test
    void should_download_exactly_the_csv_of_an_export_run_and_refuse_everything_outside_its_folder() throws Exception {
        exportOrders();
        Map<String, Object> output = harvester.query("select o.id, o.run_id, o.path, o.sha256 from run_outputs o where o.\"primary\"").get(0);
        long run = (Long) output.get("run_id");
        long file = (Long) output.get("id");
        byte[] expected = OrderRecords.csv(30).getBytes(StandardCharsets.UTF_8);
        // what a run wrote: an export's CSV rows (its steps count pages); a job's steps' records
        assertThat(JSON.readTree(get("/api/runs?pipeline=export:orders").substring(4)).at("/runs/0/records").asLong()).isEqualTo(30);
        harvester.execute("""
                insert into runs (id, pipeline, status, trigger, created_at) values (1005, 'job:tidy', 'completed', 'api', now());
                insert into run_steps (run_id, ordinal, name, status, records) values (1005, 1, 'a', 'completed', 7), (1005, 2, 'b', 'completed', 5)""");
        assertThat(JSON.readTree(get("/api/runs/1005").substring(4)).get("records").asLong()).isEqualTo(12);

        Map<String, Object> log = harvester.query("select id, path, bytes, rows, sha256 from run_outputs where not \"primary\"").get(0);
        byte[] logContent = Files.readAllBytes(harvester.outputDir().resolve("orders/runs/" + run + ".log"));
        assertThat(log).containsEntry("path", "runs/" + run + ".log").containsEntry("bytes", (long) logContent.length);
        assertJson(get("/api/runs/" + run + "/files"), 200, "{\"files\": [{\"id\": " + file + ", \"path\": \"" + output.get("path")
                + "\", \"bytes\": " + expected.length + ", \"rows\": 30, \"sha256\": \"" + output.get("sha256") + "\", \"primary\": true},"
                + " {\"id\": " + log.get("id") + ", \"path\": \"runs/" + run + ".log\", \"bytes\": " + logContent.length + ", \"rows\": "
                + log.get("rows") + ", \"sha256\": \"" + log.get("sha256") + "\", \"primary\": false}]}");
        // the run's log file is inside its output folder (runs/): downloaded like its CSV
        HttpResponse<byte[]> logDownload = send("GET", "/api/runs/" + run + "/files/" + log.get("id"), HarvesterRuntime.API_TOKEN);
        assertThat(logDownload.statusCode()).isEqualTo(200);
        assertThat(logDownload.body()).isEqualTo(logContent);
        assertThat(logDownload.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");
        assertThat(logDownload.headers().firstValue("Content-Disposition")).contains("attachment; filename=\"" + run + ".log\"; filename*=UTF-8''" + run + ".log");
        HttpResponse<byte[]> download = send("GET", "/api/runs/" + run + "/files/" + file, HarvesterRuntime.API_TOKEN);
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(expected);
        assertThat(download.headers().firstValue("Content-Length")).contains(String.valueOf(expected.length));
        assertThat(download.headers().firstValue("Content-Type")).contains("text/csv; charset=utf-8");
        assertThat(download.headers().firstValue("Content-Disposition")).contains("attachment; filename=\"" + output.get("path")
                + "\"; filename*=UTF-8''" + output.get("path"));
        assertThat(download.headers().firstValue("Transfer-Encoding")).isEmpty();

        // outside the output folder: a secret beside it, a sibling folder whose name starts like it, a symlink leading out
        Path folder = harvester.outputDir().resolve("orders");
        Path secret = Files.writeString(harvester.outputDir().resolve("secret.txt"), "not yours");
        Path evil = Files.createDirectories(harvester.outputDir().resolve("orders-evil"));
        Files.writeString(evil.resolve("stolen.csv"), "not yours either");
        Files.createSymbolicLink(folder.resolve("link.csv"), secret);
        String notFound = "{\"error\": \"run " + run + " has no such file\"}";
        // a ".." segment, plain or encoded, never reaches the download: the HTTP server drops it before routing,
        // which makes the request GET /api/runs/{id}
        for (String dots : List.of("..", "%2e%2e", ".%2e")) {
            assertThat(JSON.readTree(get("/api/runs/" + run + "/files/" + dots).substring(4)).get("id").asLong()).as(dots).isEqualTo(run);
        }
        for (String fileId : List.of("%2e%2e%2f", "..%2fsecret.txt", "....//", "%2fetc%2fpasswd", "abc", "0", "-1",
                "99999", file + "x", "%2e%2e%2fsecret.txt")) {
            assertJson(get("/api/runs/" + run + "/files/" + fileId), 404, notFound);
        }
        assertJson(get("/api/runs/" + (run + 1) + "/files/" + file), 404, "{\"error\": \"run " + (run + 1) + " has no such file\"}");
        for (String tampered : List.of("../secret.txt", "....//secret.txt", secret.toString(), "link.csv", "../orders-evil/stolen.csv",
                evil.resolve("stolen.csv").toString(), ".", "")) {
            harvester.execute("update run_outputs set path = '" + tampered.replace("'", "''") + "' where id = " + file);
            assertJson(get("/api/runs/" + run + "/files/" + file), 404, notFound);
        }
        assertThat(Files.readString(secret)).isEqualTo("not yours");
    }

    @Test
    void should_delete_a_finished_run_with_its_rows_and_file_and_refuse_live_or_continued_ones() throws Exception {
        exportOrders();
        long run = (Long) harvester.query("select id from runs where pipeline = 'export:orders'").get(0).get("id");
        Path csv = harvester.outputFiles("orders").get(0);
        Path log = harvester.outputDir().resolve("orders/runs/" + run + ".log");
        long bytes = Files.size(csv) + Files.size(log);
        harvester.execute("insert into run_logs (run_id, level, message) values (" + run + ", 'INFO', 'kept until deleted')");
        fixtureRuns();
        harvester.execute("insert into runs (id, pipeline, status, trigger) values (1005, 'crawl:c', 'interrupted', 'api');"
                + " insert into runs (id, pipeline, status, trigger, resumed_from) values (1006, 'crawl:c', 'running', 'api', 1005)");

        assertJson(send("DELETE", "/api/runs/1003"), 409,
                "{\"error\": \"run 1003 is running: only a finished run can be deleted\", \"field\": \"id\"}");
        assertJson(send("DELETE", "/api/runs/1005"), 409,
                "{\"error\": \"run 1005 is continued by live run 1006: it can be deleted once that run has finished\", \"field\": \"id\"}");
        assertJson(send("DELETE", "/api/runs/42"), 404, "{\"error\": \"run 42 does not exist\"}");
        assertJson(send("DELETE", "/api/runs/x1"), 400, "{\"error\": \"a run id is a positive whole number, not 'x1'\", \"field\": \"id\"}");

        assertJson(send("DELETE", "/api/runs/" + run), 200, "{\"deleted\": " + run + ", \"files\": 2, \"bytes\": " + bytes
                + ", \"skippedFiles\": 0, \"missingFiles\": 0, \"tempFiles\": 0, \"failures\": 0}");
        assertThat(Files.exists(csv)).isFalse();
        assertThat(Files.exists(log)).as("the run's log file went with it").isFalse();
        for (String table : List.of("runs where id", "run_steps where run_id", "run_logs where run_id", "run_outputs where run_id")) {
            assertThat(harvester.query("select count(*) as n from " + table + " = " + run)).as(table).containsExactly(Map.of("n", 0L));
        }
        assertThat(harvester.query("select id from runs order by id").stream().map(r -> r.get("id")).toList())
                .containsExactly(1001L, 1002L, 1003L, 1004L, 1005L, 1006L);
        // a finished run without files goes with its steps and logs
        assertJson(send("DELETE", "/api/runs/1002"), 200, "{\"deleted\": 1002, \"files\": 0, \"bytes\": 0, \"skippedFiles\": 0,"
                + " \"missingFiles\": 0, \"tempFiles\": 0, \"failures\": 0}");
        assertThat(harvester.query("select count(*) as n from run_logs where run_id = 1002")).containsExactly(Map.of("n", 0L));
        assertJson(send("DELETE", "/api/runs/1002"), 404, "{\"error\": \"run 1002 does not exist\"}");
    }

    @Test
    void should_list_every_pipeline_and_serve_the_openapi_document() throws Exception {
        upstream = FakeUpstream.start().total(30);
        harvester = daemons.start(ExportYaml.exports()
                .export("orders", upstream.url("/orders"), Map.of("pageSize", "10", "cron", "0 0 3 * * ?"))
                .export("idle", upstream.url("/orders"), Map.of()).yaml(), Map.of());
        harvester.runNow("export:orders");
        Map<String, Object> run = harvester.query("select id, created_at, finished_at from runs where pipeline = 'export:orders'").get(0);
        long next = (Long) harvester.query("select next_fire_time from qrtz_triggers where trigger_name = 'export_orders'").get(0)
                .get("next_fire_time");

        JsonNode pipelines = JSON.readTree(get("/api/pipelines").substring(4)).get("pipelines");
        assertThat(pipelines.findValuesAsText("name")).containsExactly("dispatch:generate", "dispatch:sweep", "export:idle",
                "export:orders", "system:retention");
        assertThat(byName(pipelines, "export:orders")).isEqualTo(JSON.readTree("""
                {"name": "export:orders", "kind": "export", "route": "export-orders", "routeStatus": "Started", "paused": false, "cron": "0 0 3 * * ?",
                 "nextFireTime": "%s", "breaker": "CLOSED", "steps": [], "restartFrom": null, "params": [],
                 "lastRun": {"id": %s, "status": "completed", "trigger": "api", "createdAt": "%s", "finishedAt": "%s", "error": null}}"""
                .formatted(java.time.Instant.ofEpochMilli(next), run.get("id"), ((java.sql.Timestamp) run.get("created_at")).toInstant(),
                        ((java.sql.Timestamp) run.get("finished_at")).toInstant())));
        assertThat(byName(pipelines, "export:idle")).isEqualTo(JSON.readTree("""
                {"name": "export:idle", "kind": "export", "route": "export-idle", "routeStatus": "Started", "paused": false, "cron": null,
                 "nextFireTime": null, "breaker": "CLOSED", "steps": [], "restartFrom": null, "params": [], "lastRun": null}"""));
        assertThat(byName(pipelines, "system:retention").get("breaker").isNull()).isTrue();
        assertThat(byName(pipelines, "dispatch:sweep").get("kind").asText()).isEqualTo("dispatch");

        // paused: no run starts on demand (nor on its schedule) until it is resumed
        assertJson(send("POST", "/api/pipelines/export:idle/pause"), 200, "{\"name\": \"export:idle\", \"paused\": true}");
        assertJson(postJson("/api/runs", "{\"pipeline\": \"export:idle\"}"), 409, "{\"error\": \"pipeline export:idle is paused"
                + " (POST /api/pipelines/export:idle/resume resumes it)\", \"field\": \"pipeline\"}");
        assertThat(byName(JSON.readTree(get("/api/pipelines").substring(4)).get("pipelines"), "export:idle").get("paused").asBoolean())
                .isTrue();
        assertJson(send("POST", "/api/pipelines/export:idle/resume"), 200, "{\"name\": \"export:idle\", \"paused\": false}");
        assertThat(postJson("/api/runs", "{\"pipeline\": \"export:idle\"}")).startsWith("202 ");
        assertJson(send("POST", "/api/pipelines/export:nothing/pause"), 404,
                "{\"error\": \"there is no pipeline export:nothing (GET /api/pipelines lists them)\", \"field\": \"name\"}");

        String document = get("/api/openapi.json");
        assertThat(document).startsWith("200 ");
        JsonNode openapi = JSON.readTree(document.substring(4));
        assertThat(openapi.get("openapi").asText()).startsWith("3.");
        JsonNode paths = openapi.get("paths");
        assertThat(paths.has("/api/runs/{id}/files/{fileId}")).isTrue();
        for (String[] verb : List.of(new String[] {"/api/runs", "get"}, new String[] {"/api/runs/active", "get"},
                new String[] {"/api/runs/{id}", "get"}, new String[] {"/api/runs/{id}", "delete"},
                new String[] {"/api/runs/{id}/logs", "get"}, new String[] {"/api/runs/{id}/files", "get"},
                new String[] {"/api/runs/{id}/files/{fileId}", "get"}, new String[] {"/api/pipelines", "get"},
                new String[] {"/api/openapi.json", "get"})) {
            assertThat(paths.path(verb[0]).has(verb[1])).as(verb[1] + " " + verb[0]).isTrue();
        }
    }

    private static JsonNode byName(JsonNode pipelines, String name) {
        for (JsonNode pipeline : pipelines) {
            if (pipeline.get("name").asText().equals(name)) {
                return pipeline;
            }
        }
        throw new AssertionError("no pipeline " + name + " in " + pipelines);
    }

    /** "status body" of a GET with the token. */
    private String get(String path) throws Exception {
        HttpResponse<byte[]> response = send("GET", path, HarvesterRuntime.API_TOKEN);
        return response.statusCode() + " " + new String(response.body(), StandardCharsets.UTF_8);
    }

    private String send(String method, String path) throws Exception {
        HttpResponse<byte[]> response = send(method, path, HarvesterRuntime.API_TOKEN);
        return response.statusCode() + " " + new String(response.body(), StandardCharsets.UTF_8);
    }

    private String postJson(String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + harvester.port() + path))
                .header("Authorization", "Bearer " + HarvesterRuntime.API_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    private HttpResponse<byte[]> send(String method, String path, String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + harvester.port() + path))
                .header("Authorization", "Bearer " + token).method(method, HttpRequest.BodyPublishers.noBody()).build();
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The answer is {@code status} with exactly this JSON (compared as trees). */
    private static void assertJson(String answer, int status, String expectedJson) throws Exception {
        assertThat(answer).as(answer).startsWith(status + " ");
        assertThat(JSON.readTree(answer.substring(answer.indexOf(' ') + 1))).as(answer).isEqualTo(JSON.readTree(expectedJson));
    }
}
