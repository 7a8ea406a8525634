package io.harvester.runs.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.JobYaml;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every INFO-or-above line of a run lands in run_logs and in its log file, which is an output of the run. */
@HarvesterDaemon
class RunLogTest {

    static DaemonScope daemons;
    static HarvesterRuntime harvester;
    @AutoClose
    static FakeUpstream upstream;

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.start().total(250);
        String routes = ExportYaml.exports().export("orders", upstream.url("/orders"), Map.of("pageSize", "100")).yaml()
                + JobYaml.job("tidy", "count", "select count(*) from runs")
                + JobYaml.job("broken", "read", "select * from no_such_table");
        harvester = daemons.start(routes, Map.of("harvester.jobs.tidy.cron", "", "harvester.jobs.broken.cron", ""));
    }

    private static List<String> loggedLines(long id) {
        return harvester.query("select level, message from run_logs where run_id = " + id + " and extra is not null order by id")
                .stream().map(r -> r.get("level") + " " + r.get("message")).toList();
    }

    private static Map<String, Object> logOutput(long id) {
        List<Map<String, Object>> rows = harvester.query("select bytes, rows, sha256, \"primary\" from run_outputs where run_id = "
                + id + " and path = 'runs/" + id + ".log'");
        return rows.isEmpty() ? Map.of() : rows.get(0);
    }

    @Test
    void should_keep_an_export_runs_lines_in_run_logs_and_in_its_log_file() throws Exception {
        harvester.runNow("export:orders");
        Map<String, Object> run = harvester.onlyRun("export:orders");
        long id = (Long) run.get("id");
        Map<String, Object> csv = harvester.query("select path, bytes from run_outputs where run_id = " + id + " and \"primary\"").get(0);
        String started = "INFO Export orders run " + id + " started (api trigger)";
        String completed = "INFO Export orders run " + id + " completed: 3 pages, 250 rows, " + csv.get("bytes") + " bytes -> "
                + harvester.outputDir().resolve("orders").resolve((String) csv.get("path"));

        await().until(() -> loggedLines(id).contains(completed));
        assertThat(loggedLines(id)).containsSubsequence(started, completed);
        assertThat(harvester.query("select current_step, progress from runs where id = " + id))
                .containsExactly(Map.of("current_step", "completed: 250 rows in 3 pages", "progress", 100));
        assertThat(harvester.query("select extra->>'logger' as logger from run_logs where run_id = " + id
                + " and message like 'Export orders run % started%'")).containsExactly(Map.of("logger", "io.harvester.paging.PagedExport"));

        Path file = harvester.outputDir().resolve("orders/runs/" + id + ".log");
        await().until(() -> Files.isRegularFile(file) && Files.readString(file).contains(completed.substring(5)));
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).anyMatch(l -> l.contains(" INFO  [") && l.contains("[run=" + id + "] PagedExport - "
                + started.substring(5))).anyMatch(l -> l.endsWith("ExportRun - " + completed.substring(5)));
        byte[] content = Files.readAllBytes(file);
        await().until(() -> logOutput(id).get("bytes"), bytes -> Long.valueOf(content.length).equals(bytes));
        assertThat(logOutput(id)).containsEntry("rows", (long) lines.size()).containsEntry("primary", false)
                .containsEntry("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
    }

    @Test
    void should_give_a_job_run_a_folder_for_its_log_file() throws Exception {
        harvester.runNow("job:tidy");
        long id = (Long) harvester.onlyRun("job:tidy").get("id");
        String completed = "INFO Job tidy: run " + id + " completed";

        await().until(() -> loggedLines(id).contains(completed));
        assertThat(loggedLines(id)).containsExactly("INFO Job tidy: run " + id + " started (api trigger)", completed);
        assertThat(harvester.query("select current_step from runs where id = " + id)).containsExactly(Map.of("current_step", "completed: 1 of 1 step"));
        Path folder = harvester.outputDir().resolve("job-tidy");
        assertThat(harvester.query("select output_dir from runs where id = " + id))
                .containsExactly(Map.of("output_dir", folder.toString()));
        await().until(() -> Files.isRegularFile(folder.resolve("runs/" + id + ".log")));
        await().until(() -> logOutput(id).get("rows"), rows -> Long.valueOf(2).equals(rows));
    }

    @Test
    void should_keep_camels_redelivery_lines_out_of_a_failed_runs_log_and_say_its_error_once() throws Exception {
        harvester.runNow("job:broken");
        Map<String, Object> run = harvester.onlyRun("job:broken");
        long id = (Long) run.get("id");
        String error = (String) run.get("error");
        assertThat(error).startsWith("step read failed: ERROR: relation \"no_such_table\" does not exist");
        // the log file is an output once the run's last line is in it: nothing of the run is logged after that
        await().until(() -> logOutput(id).get("rows") != null);

        assertThat(loggedLines(id)).containsExactly("INFO Job broken: run " + id + " started (api trigger)",
                "INFO Job broken: run " + id + " ended without completing");
        assertThat(harvester.query("select level, message from run_logs where run_id = " + id + " and extra is null"))
                .containsExactly(Map.of("level", "ERROR", "message", error));
        assertThat(Files.readString(harvester.outputDir().resolve("job-broken/runs/" + id + ".log")))
                .doesNotContain("Failed delivery").doesNotContain("DefaultErrorHandler").doesNotContain("see runs.error");
        assertThat(harvester.query("select current_step from runs where id = " + id)).containsExactly(Map.of("current_step", "failed: 0 of 1 step"));
    }
}
