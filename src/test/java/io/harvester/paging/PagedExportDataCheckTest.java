package io.harvester.paging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.FakeUpstream.Answer;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Answers that would publish silently wrong data fail the run by name: cursor cycles, short totals, scalars, no end, no time. */
@HarvesterDaemon
class PagedExportDataCheckTest {

    static DaemonScope daemons;
    static HarvesterRuntime harvester;
    @AutoClose
    static FakeUpstream upstream;

    static FakeUpstream slow;

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.start().total(500);
        slow = FakeUpstream.start().total(500).latencyMs(1000);
        Map<String, String> cursor = Map.of("pagination", "cursor", "listField", "items", "cursorParam", "cursor");
        harvester = daemons.start(ExportYaml.exports()
                .export("cycle2", upstream.url("/cursor"), cursor)
                .export("cycle3", upstream.url("/cursor"), cursor)
                .export("short", upstream.url("/orders"), Map.of("pageSize", "10"))
                .export("lenient", upstream.url("/orders"), Map.of("pageSize", "10", "strictTotal", "false"))
                .export("scalars", upstream.url("/orders"), Map.of("pageSize", "10"))
                .export("endless", upstream.url("/orders"), Map.of("pageSize", "100", "maxPages", "3", "concurrency", "2"))
                .export("overdue", slow.url("/orders"), Map.of("pageSize", "100", "concurrency", "1", "maxDurationMs", "1500"))
                .export("slowcursor", slow.url("/cursor?size=200"), cursor),
                Map.of());
    }

    @AfterAll
    static void stopSlow() {
        slow.close();
    }

    /** A cursor page: one record and the next cursor (on /cursor, cursor 101 asks for page 2, 201 for page 3...). */
    private static Answer cursorPage(int id, String next) {
        return Answer.body("{\"items\": [{\"id\": " + id + "}], \"next\": \"" + next + "\"}");
    }

    private static Answer ordersPage(long total, int rows) {
        String records = IntStream.rangeClosed(1, rows).mapToObj(i -> "{\"id\": " + i + "}").collect(Collectors.joining(","));
        return Answer.body("{\"total\": " + total + ", \"list\": [" + records + "]}");
    }

    @Test
    void should_fail_a_cursor_that_cycles_back_after_two_pages() throws Exception {
        upstream.resetCounters();
        upstream.script(1, cursorPage(1, "101")).script(2, cursorPage(2, "201")).script(3, cursorPage(3, "101"));

        harvester.runNow("export:cycle2");

        Map<String, Object> run = harvester.onlyRun("export:cycle2");
        assertThat(run.get("status")).isEqualTo("failed");
        assertThat((String) run.get("error")).startsWith("export cycle2 failed on page 3 (")
                .endsWith("field 'next' (cursorField) on page 3 names cursor '101' seen on page 1 already;"
                        + " stopping instead of looping forever");
        assertThat(upstream.requests()).isEqualTo(3);
        assertThat(harvester.outputFiles("cycle2")).isEmpty();
    }

    @Test
    void should_fail_a_cursor_that_cycles_back_after_three_pages() throws Exception {
        upstream.resetCounters();
        upstream.script(1, cursorPage(1, "101")).script(2, cursorPage(2, "201")).script(3, cursorPage(3, "301"))
                .script(4, cursorPage(4, "101"));

        harvester.runNow("export:cycle3");

        Map<String, Object> run = harvester.onlyRun("export:cycle3");
        assertThat(run.get("status")).isEqualTo("failed");
        assertThat((String) run.get("error")).contains("on page 4 names cursor '101' seen on page 1 already");
        assertThat(upstream.requests()).isEqualTo(4);
        assertThat(harvester.outputFiles("cycle3")).isEmpty();
    }

    @Test
    void should_fail_when_pages_come_back_short_of_the_total() throws Exception {
        upstream.script(1, ordersPage(30, 10)).script(2, ordersPage(30, 0)).script(3, ordersPage(30, 0));

        harvester.runNow("export:short");

        Map<String, Object> run = harvester.onlyRun("export:short");
        assertThat(run.get("status")).isEqualTo("failed");
        assertThat(run.get("error")).isEqualTo("export short failed: wrote 10 rows but the first page announced a total"
                + " of 30 (set strictTotal: false to publish anyway with a warning)");
        assertThat(harvester.outputFiles("short")).isEmpty();
    }

    @Test
    void should_publish_short_pages_with_a_warning_when_the_total_is_not_strict() throws Exception {
        upstream.script(1, ordersPage(30, 10)).script(2, ordersPage(30, 0)).script(3, ordersPage(30, 0));

        harvester.runNow("export:lenient");

        Map<String, Object> run = harvester.onlyRun("export:lenient");
        String warning = "wrote 10 rows but the first page announced a total of 30";
        assertThat(run.get("status")).isEqualTo("completed");
        assertThat(run.get("error")).isNull();
        assertThat(harvester.query("select step, level, message from run_logs where extra is null and run_id = " + run.get("id")))
                .containsExactly(Map.of("step", "fetch", "level", "WARN", "message", warning));
        assertThat(harvester.query("select result->>'warning' as warning, records from run_steps where name = 'fetch'"
                + " and run_id = " + run.get("id"))).containsExactly(Map.of("warning", warning, "records", 3L));
        assertThat(harvester.csvFiles("lenient")).hasSize(1);
        assertThat(harvester.onlyCsv("lenient").lines().toList()).hasSize(11);
    }

    @Test
    void should_fail_naming_records_that_are_not_objects() throws Exception {
        upstream.script(1, Answer.body("{\"total\": 3, \"list\": [1, 2, 3]}"));

        harvester.runNow("export:scalars");

        Map<String, Object> run = harvester.onlyRun("export:scalars");
        assertThat(run.get("status")).isEqualTo("failed");
        assertThat((String) run.get("error")).startsWith("export scalars failed on page 1 (")
                .endsWith("records in 'list' (listField) are not objects: found number");
        assertThat(harvester.outputFiles("scalars")).isEmpty();
    }

    @Test
    void should_stop_at_max_pages() throws Exception {
        upstream.resetCounters();

        harvester.runNow("export:endless");

        Map<String, Object> run = harvester.onlyRun("export:endless");
        assertThat(run.get("status")).isEqualTo("failed");
        assertThat(run.get("error")).isEqualTo("export endless failed: the API has more than maxPages (3) pages");
        assertThat(upstream.requests()).isEqualTo(3);
        assertThat(harvester.outputFiles("endless")).isEmpty();
    }

    @Test
    void should_fail_a_run_that_outlasts_max_duration_with_slow_pages() throws Exception {
        slow.resetCounters();
        harvester.runNow("export:overdue");

        Map<String, Object> run = harvester.onlyRun("export:overdue");
        assertThat(run.get("status")).isEqualTo("failed");
        assertThat(run.get("error")).isEqualTo("export overdue failed: took longer than maxDurationMs (1500 ms)");
        // the step is closed by the timer that ended the run, as the route comes back from the page in flight
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> harvester.query(
                "select name, status from run_steps where run_id = " + run.get("id")).equals(
                List.of(Map.of("name", "fetch", "status", "failed"))));
        assertThat(slow.requests()).isBetween(2, 3);
        assertThat(harvester.outputFiles("overdue")).isEmpty();
    }

    @Test
    void should_report_pages_and_rows_while_a_cursor_export_runs() throws Exception {
        Thread running = new Thread(() -> harvester.runNow("export:slowcursor"));
        running.start();

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> !harvester.query(
                "select 1 from runs where pipeline = 'export:slowcursor' and status = 'running'"
                        + " and current_step ~ '^fetch page [123], (200|400|500) rows$'").isEmpty());
        running.join(15_000);

        assertThat(harvester.onlyRun("export:slowcursor").get("status")).isEqualTo("completed");
        assertThat(harvester.onlyCsv("slowcursor")).isEqualTo(io.harvester.support.OrderRecords.csv(500));
    }
}
