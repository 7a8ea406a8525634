package io.harvester.paging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import javax.management.MBeanServer;

import io.harvester.support.ChangeFeed;
import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.RunsApiClient;
import io.harvester.trigger.PipelineView;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Incremental exports against an API whose records change between runs: each run after the first asks only from the
 * watermark (less the lookback); a failed run and a backfill leave the watermark alone; a reset over the API or JMX
 * moves it.
 */
@HarvesterDaemon
class PagedExportIncrementalTest {

    static DaemonScope daemons;
    static HarvesterRuntime harvester;
    static RunsApiClient api;
    @AutoClose
    static ChangeFeed changing;
    @AutoClose
    static ChangeFeed broken;
    @AutoClose
    static ChangeFeed backfilled;
    @AutoClose
    static ChangeFeed reset;
    @AutoClose
    static ChangeFeed adopted;

    private static Map<String, String> incremental(String... more) {
        Map<String, String> parameters = new java.util.HashMap<>(Map.of("pageSize", "10", "concurrency", "2",
                "columns", "id,name,updated_at", "incrementalField", "updated_at", "incrementalParam", "updated_since"));
        for (int i = 0; i < more.length; i += 2) {
            parameters.put(more[i], more[i + 1]);
        }
        return parameters;
    }

    @BeforeAll
    static void start() {
        changing = ChangeFeed.start(30);
        broken = ChangeFeed.start(20);
        backfilled = ChangeFeed.start(30);
        reset = ChangeFeed.start(30);
        adopted = ChangeFeed.start(30);
        harvester = daemons.start(ExportYaml.exports()
                .export("changing", changing.url(), incremental("lookback", "PT10S"))
                .export("broken", broken.url(), incremental("retries", "0", "concurrency", "1"))
                .export("backfilled", backfilled.url(), incremental("incrementalEndParam", "updated_before",
                        "overridable", "pageSize"))
                .export("reset", reset.url(), incremental("incrementalStart", "2026-01-01T00:00:25Z"))
                .export("full", reset.url(), Map.of("pageSize", "10"))
                .export("adopted", adopted.url(), incremental("incrementalEndParam", "updated_before")).yaml(), Map.of());
        api = new RunsApiClient(harvester);
    }

    private static int[] ids(int from, int to) {
        return IntStream.rangeClosed(from, to).toArray();
    }

    private static int[] concat(int[] a, int... b) {
        return IntStream.concat(IntStream.of(a), IntStream.of(b)).toArray();
    }

    private static String since(String iso) {
        return "updated_since=" + iso.replace(":", "%3A");
    }

    private static Object watermark(String export) {
        List<Map<String, Object>> rows = harvester.query("select value from export_watermarks where pipeline = 'export:" + export + "'");
        return rows.isEmpty() ? null : rows.get(0).get("value");
    }

    /** The CSV of the newest completed run of an export. */
    private static String newestCsv(String export) throws Exception {
        // two runs in one second: the second file's name ends in -2
        Object name = harvester.query("select path from run_outputs where run_id = (select max(id) from runs where pipeline ="
                + " 'export:" + export + "' and status = 'completed') and \"primary\"").get(0).get("path");
        return java.nio.file.Files.readString(harvester.outputDir().resolve(export).resolve((String) name));
    }

    @Test
    void should_ask_only_for_the_changed_window_on_the_second_and_third_run() throws Exception {
        harvester.runNow("export:changing");
        assertThat(changing.requestUris()).containsExactlyInAnyOrder("/changes?page=1&size=10", "/changes?page=2&size=10",
                "/changes?page=3&size=10");
        assertThat(harvester.onlyCsv("changing")).isEqualTo(changing.csv(ids(1, 30)));
        assertThat(watermark("changing")).isEqualTo("2026-01-01T00:00:30Z");

        changing.resetRequests();
        changing.touch(Instant.parse("2026-01-01T01:00:00Z"), 3, 7);
        harvester.runNow("export:changing");
        // from the watermark less the 10 s lookback: 20..30 again (the lookback's trade-off), then the two changed
        assertThat(changing.requestUris()).containsExactlyInAnyOrder(
                "/changes?" + since("2026-01-01T00:00:20Z") + "&page=1&size=10",
                "/changes?" + since("2026-01-01T00:00:20Z") + "&page=2&size=10");
        assertThat(newestCsv("changing")).isEqualTo(changing.csv(concat(ids(20, 30), 3, 7)));
        assertThat(watermark("changing")).isEqualTo("2026-01-01T01:00:00Z");

        changing.resetRequests();
        changing.touch(Instant.parse("2026-01-01T02:00:00Z"), 12);
        harvester.runNow("export:changing");
        assertThat(changing.requestUris()).containsExactly("/changes?" + since("2026-01-01T00:59:50Z") + "&page=1&size=10");
        assertThat(newestCsv("changing")).isEqualTo(changing.csv(3, 7, 12));
        assertThat(watermark("changing")).isEqualTo("2026-01-01T02:00:00Z");
        assertThat(harvester.query("select set_by, run_id = (select max(id) from runs where pipeline = 'export:changing') as newest"
                + " from export_watermarks where pipeline = 'export:changing'")).containsExactly(Map.of("set_by", "run", "newest", true));
    }

    @Test
    void should_leave_the_watermark_alone_when_a_run_fails_after_a_page_and_read_from_it_again() throws Exception {
        harvester.runNow("export:broken");
        assertThat(watermark("broken")).isEqualTo("2026-01-01T00:00:20Z");

        // twelve records change: 20 and 1..9 make page 1 (accepted, its highest 01:00:08), 10..12 page 2, whose third fails
        broken.touchSpread(Instant.parse("2026-01-01T01:00:00Z"), ids(1, 12));
        broken.withoutUpdatedAt(12, true);
        broken.resetRequests();
        harvester.runNow("export:broken");
        assertThat(broken.requestUris()).containsExactly("/changes?" + since("2026-01-01T00:00:20Z") + "&page=1&size=10",
                "/changes?" + since("2026-01-01T00:00:20Z") + "&page=2&size=10");
        assertThat(harvester.query("select status, error from runs where pipeline = 'export:broken' order by id desc limit 1"))
                .containsExactly(Map.of("status", "failed", "error", "export broken failed on page 2 (" + broken.url() + "?"
                        + since("2026-01-01T00:00:20Z") + "&page=2&size=10): record 3 of page 2: 'updated_at' (incrementalField)"
                        + " it is missing or null"));
        assertThat(watermark("broken")).isEqualTo("2026-01-01T00:00:20Z");
        assertThat(harvester.csvFiles("broken")).hasSize(1);

        broken.withoutUpdatedAt(12, false);
        broken.resetRequests();
        harvester.runNow("export:broken");
        assertThat(broken.requestUris()).containsExactly("/changes?" + since("2026-01-01T00:00:20Z") + "&page=1&size=10",
                "/changes?" + since("2026-01-01T00:00:20Z") + "&page=2&size=10");
        assertThat(newestCsv("broken")).isEqualTo(broken.csv(concat(new int[] {20}, ids(1, 12))));
        assertThat(watermark("broken")).isEqualTo("2026-01-01T01:00:11Z");
    }

    @Test
    void should_run_a_backfill_window_or_overridden_settings_without_moving_the_watermark() throws Exception {
        harvester.runNow("export:backfilled");
        assertThat(watermark("backfilled")).isEqualTo("2026-01-01T00:00:30Z");
        // records above the watermark: a backfill reads them and still moves nothing
        backfilled.touchSpread(Instant.parse("2026-01-01T01:00:00Z"), 5, 6, 7);
        backfilled.resetRequests();

        long run = api.start("{\"pipeline\": \"export:backfilled\", \"params\": {\"from\": \"2026-01-01T00:00:08Z\","
                + " \"to\": \"2026-01-01T01:00:02Z\", \"pageSize\": 5}}");
        awaitEnded(run);

        assertThat(harvester.query("select status, params->>'given' as given, params->>'pageSize' as size from runs where id = " + run))
                .containsExactly(Map.of("status", "completed", "given",
                        "{\"to\": \"2026-01-01T01:00:02Z\", \"from\": \"2026-01-01T00:00:08Z\", \"pageSize\": \"5\"}", "size", "5"));
        String window = since("2026-01-01T00:00:08Z") + "&updated_before=2026-01-01T01%3A00%3A02Z";
        assertThat(backfilled.requestUris()).containsExactlyInAnyOrder("/changes?" + window + "&page=1&size=5",
                "/changes?" + window + "&page=2&size=5", "/changes?" + window + "&page=3&size=5", "/changes?" + window + "&page=4&size=5",
                "/changes?" + window + "&page=5&size=5");
        assertThat(newestCsv("backfilled")).isEqualTo(backfilled.csv(concat(ids(8, 30), 5, 6)));
        assertThat(watermark("backfilled")).isEqualTo("2026-01-01T00:00:30Z");
        assertThat(api.get("/api/runs/" + run)).contains("\"from\":\"2026-01-01T00:00:08Z\"", "\"pageSize\":\"5\"");
        assertThat(harvester.query("select result->'window'->>'backfill' as backfill from run_steps where run_id = " + run
                + " and name = 'fetch'")).containsExactly(Map.of("backfill", "true"));

        // overridden settings alone read the usual window, and move nothing either
        backfilled.resetRequests();
        long overridden = api.start("{\"pipeline\": \"export:backfilled\", \"params\": {\"pageSize\": 20}}");
        awaitEnded(overridden);
        assertThat(backfilled.requestUris()).containsExactly("/changes?" + since("2026-01-01T00:00:30Z") + "&page=1&size=20");
        assertThat(newestCsv("backfilled")).isEqualTo(backfilled.csv(30, 5, 6, 7));
        assertThat(watermark("backfilled")).isEqualTo("2026-01-01T00:00:30Z");
    }

    /**
     * Waits until a run started over the API has ended and its route is through: a watermark is moved after the run's
     * row says completed, so an assertion that it did not move must wait for the exchange to end.
     */
    private static void awaitEnded(long run) {
        await().atMost(Duration.ofSeconds(30)).until(() -> !"running".equals(harvester.query("select status from runs where id = "
                + run).get(0).get("status")) && harvester.context().getInflightRepository().size() == 0);
    }

    @Test
    void should_keep_the_window_of_a_backfill_taken_over_from_a_dead_instance() throws Exception {
        harvester.execute("insert into instances (id, host, started_at, heartbeat_at) values"
                + " ('node-dead', 'gone', '2020-01-01T00:00:00Z', '2020-01-01T00:05:00Z')");
        harvester.execute("insert into runs (id, pipeline, status, trigger, params, owner, created_at, started_at) values (900101,"
                + " 'export:adopted', 'running', 'api', '{\"given\": {\"from\": \"2026-01-01T00:00:03Z\","
                + " \"to\": \"2026-01-01T00:00:06Z\"}}', 'node-dead', now(), now())");

        await().atMost(Duration.ofSeconds(30)).until(() -> "completed".equals(harvester.query("select status from runs where id = 900101")
                .get(0).get("status")) && harvester.context().getInflightRepository().size() == 0);

        assertThat(adopted.requestUris()).containsExactly("/changes?" + since("2026-01-01T00:00:03Z")
                + "&updated_before=2026-01-01T00%3A00%3A06Z&page=1&size=10");
        assertThat(newestCsv("adopted")).isEqualTo(adopted.csv(3, 4, 5));
        assertThat(watermark("adopted")).as("a backfill moves no watermark, wherever it ends").isNull();
    }

    @Test
    void should_refuse_parameters_an_export_does_not_take_naming_them() throws Exception {
        assertThat(api.post("/api/runs", "{\"pipeline\": \"export:changing\", \"params\": {\"to\": \"2026-01-02T00:00:00Z\"}}"))
                .isEqualTo("400 {\"error\":\"export:changing has no incrementalEndParam: the API must take an upper bound for a"
                        + " backfill to end at 'to'\",\"field\":\"params.to\"}");
        assertThat(api.post("/api/runs", "{\"pipeline\": \"export:changing\", \"params\": {\"url\": \"http://elsewhere\"}}"))
                .isEqualTo("400 {\"error\":\"export:changing takes no parameter 'url' (it takes: from)\",\"field\":\"params.url\"}");
        assertThat(api.post("/api/runs", "{\"pipeline\": \"export:full\", \"params\": {\"from\": \"2026-01-02\"}}"))
                .isEqualTo("400 {\"error\":\"export:full is not incremental: 'from' bounds the window of an incremental export"
                        + " (incrementalField)\",\"field\":\"params.from\"}");
        assertThat(api.post("/api/runs", "{\"pipeline\": \"export:backfilled\", \"params\": {\"from\": \"yesterday\"}}"))
                .isEqualTo("400 {\"error\":\"'yesterday' is not an ISO-8601 date-time, a date or an epoch number\",\"field\":\"params\"}");
        assertThat(api.post("/api/pipelines/export:full/watermark", "{\"value\": \"2026-01-02T00:00:00Z\"}"))
                .isEqualTo("409 {\"error\":\"export:full keeps no watermark: it is not an incremental export\",\"field\":\"pipeline\"}");
        assertThat(harvester.query("select count(*) as runs from runs where pipeline in ('export:changing', 'export:full')"
                + " and trigger = 'api' and params ? 'given'")).containsExactly(Map.of("runs", 0L));
    }

    @Test
    void should_read_from_a_value_reset_over_the_api_or_jmx_and_from_the_start_when_forgotten() throws Exception {
        // the first run starts from incrementalStart
        harvester.runNow("export:reset");
        assertThat(reset.requestUris()).containsExactly("/changes?" + since("2026-01-01T00:00:25Z") + "&page=1&size=10");
        assertThat(watermark("reset")).isEqualTo("2026-01-01T00:00:30Z");

        assertThat(api.post("/api/pipelines/export:reset/watermark", "{\"value\": \"2026-01-01T00:00:18Z\"}"))
                .startsWith("200 {\"name\":\"export:reset\",\"watermark\":{\"value\":\"2026-01-01T00:00:18Z\",\"runId\":null,"
                        + "\"setBy\":\"api\",\"updatedAt\":\"");
        assertThat(api.get("/api/pipelines")).contains("\"watermark\":{\"value\":\"2026-01-01T00:00:18Z\"");
        reset.resetRequests();
        harvester.runNow("export:reset");
        assertThat(reset.requestUris()).containsExactlyInAnyOrder("/changes?" + since("2026-01-01T00:00:18Z") + "&page=1&size=10",
                "/changes?" + since("2026-01-01T00:00:18Z") + "&page=2&size=10");
        assertThat(newestCsv("reset")).isEqualTo(reset.csv(ids(18, 30)));

        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        assertThat(jmx.getAttribute(PipelineView.name("export:reset"), "Watermark")).isEqualTo("2026-01-01T00:00:30Z");
        assertThat(jmx.invoke(PipelineView.name("export:reset"), "resetWatermark", new Object[] {"2026-01-01T00:00:29Z"},
                new String[] {String.class.getName()})).isEqualTo("2026-01-01T00:00:29Z");
        reset.resetRequests();
        harvester.runNow("export:reset");
        assertThat(reset.requestUris()).containsExactly("/changes?" + since("2026-01-01T00:00:29Z") + "&page=1&size=10");

        assertThat(api.post("/api/pipelines/export:reset/watermark", "{\"value\": null}"))
                .isEqualTo("200 {\"name\":\"export:reset\",\"watermark\":{\"value\":null,\"runId\":null,\"setBy\":null,\"updatedAt\":null}}");
        reset.resetRequests();
        harvester.runNow("export:reset");
        assertThat(reset.requestUris()).containsExactly("/changes?" + since("2026-01-01T00:00:25Z") + "&page=1&size=10");
        assertThat(api.post("/api/pipelines/export:reset/watermark", "{\"value\": \"2026-01-02\"}"))
                .isEqualTo("400 {\"error\":\"a watermark must be what incrementalField holds: '2026-01-01T00:00:25Z' and"
                        + " '2026-01-02' are not of one form (a date-time with an offset, a date): they cannot be ordered (after a change of the field's"
                        + " form, forget the kept one first: {\\\"value\\\": null})\","
                        + "\"field\":\"value\"}");
        // a JSON number keeps its digits (an epoch form: refused here, named as written)
        assertThat(api.post("/api/pipelines/export:reset/watermark", "{\"value\": 1700000000123.4567}"))
                .contains("'1700000000123.4567'");
        assertThat(api.post("/api/pipelines/export:reset/watermark", "{\"value\": \"soon\"}"))
                .isEqualTo("400 {\"error\":\"a watermark must be what incrementalField holds: 'soon' is not an ISO-8601 date-time,"
                        + " a date or an epoch number\",\"field\":\"value\"}");
    }
}
