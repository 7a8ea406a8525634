package io.harvester.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention: old finished runs go with their rows and files, young and live ones stay, files outside a
 * run's output folder are never deleted, and a crawl checkpoint a later run would continue is kept.
 */
@HarvesterDaemon(scope = HarvesterDaemon.Scope.METHOD)
class RunRetentionTest {

    DaemonScope daemons;
    @TempDir
    Path work;
    HarvesterRuntime harvester;
    @AutoClose
    FakeUpstream upstream;

    @Test
    void should_delete_old_runs_with_their_rows_and_files_and_nothing_else() throws IOException {
        upstream = FakeUpstream.start().total(10);
        // two runs per batch: the sweep below needs several batches
        harvester = daemons.start(work, ExportYaml.exports()
                .export("orders", upstream.url("/orders"), Map.of("pageSize", "5"))
                .yaml(), Map.of("harvester.runs.retention-batch-size", "2"));
        Path output = harvester.outputDir();

        // two real exports, the first of which ended 31 days ago: its CSV is registered as the exports do it
        harvester.runNow("export:orders");
        harvester.runNow("export:orders");
        List<Map<String, Object>> exports = harvester.query(
                "select r.id, o.path from runs r join run_outputs o on o.run_id = r.id and o.\"primary\" where r.pipeline = 'export:orders'"
                        + " order by r.id");
        assertThat(exports).hasSize(2);
        long oldExport = (Long) exports.get(0).get("id");
        long youngExport = (Long) exports.get(1).get("id");
        Path oldCsv = output.resolve("orders").resolve((String) exports.get(0).get("path"));
        Path youngCsv = output.resolve("orders").resolve((String) exports.get(1).get("path"));
        long oldCsvBytes = Files.size(oldCsv);
        // each export's log file (runs/<id>.log, an output of its run) once its writer has taken its last line
        Path oldLog = output.resolve("orders/runs/" + oldExport + ".log");
        Path youngLog = output.resolve("orders/runs/" + youngExport + ".log");
        awaitLogFile(oldExport, oldLog, "Export orders run " + oldExport + " completed");
        awaitLogFile(youngExport, youngLog, "Export orders run " + youngExport + " completed");
        long oldLogBytes = Files.size(oldLog);
        age(oldExport, 31);

        // an old run of a retired pipeline with files of every kind, and a young one sharing its folder
        Path legacy = Files.createDirectories(output.resolve("legacy"));
        Path outside = Files.writeString(output.resolve("outside.csv"), "not the run's");
        Path secret = Files.writeString(work.resolve("secret.csv"), "far outside");
        Files.writeString(legacy.resolve("legacy-1.csv"), "12345");
        Files.writeString(Files.createDirectories(legacy.resolve("parts")).resolve("part-1.csv"), "123");
        Files.createSymbolicLink(legacy.resolve("link.csv"), secret);
        Files.createSymbolicLink(legacy.resolve("escape"), work);
        Files.writeString(legacy.resolve("young.csv"), "young");
        long old = run("export:legacy", "completed", 40, legacy);
        Files.writeString(legacy.resolve(".legacy-20240101-000000.run" + old + ".csv.tmp"), "left by a killed process");
        outputs(old, "legacy-1.csv", "parts/part-1.csv", "../outside.csv", "link.csv", "escape/secret.csv",
                secret.toString(), "gone.csv");
        harvester.execute("insert into run_steps (run_id, ordinal, name, status) values (" + old + ", 1, 'fetch', 'completed')");
        harvester.execute("insert into run_logs (run_id, level, message) values (" + old + ", 'ERROR', 'old news')");
        long young = run("export:legacy", "completed", 29, legacy);
        outputs(young, "young.csv");
        // a skipped trigger: never started, no end, created long ago
        long skipped = (Long) harvester.query("insert into runs (pipeline, status, trigger, created_at) values"
                + " ('export:legacy', 'skipped', 'schedule', now() - interval '50 days') returning id").get(0).get("id");
        // live runs are never touched, however old
        long live = run("export:slow", "running", 45, null);

        // crawls: a checkpoint a later run would continue stays, one that was superseded or taken over goes
        long supersededCrawl = run("crawl:a", "interrupted", 60, null);
        nodes(supersededCrawl);
        long newerCrawl = run("crawl:a", "completed", 59, null);
        long waitingCrawl = run("crawl:b", "abandoned", 60, null);
        nodes(waitingCrawl);
        long retryableCrawl = run("crawl:c", "partial", 60, null);
        nodes(retryableCrawl);
        long continuedByLive = run("crawl:d", "interrupted", 60, null);
        long liveCrawl = run("crawl:d", "running", 0, null);
        harvester.execute("update runs set resumed_from = " + continuedByLive + " where id = " + liveCrawl);
        nodes(liveCrawl);
        long continuedByYoung = run("crawl:e", "interrupted", 60, null);
        long youngCrawl = run("crawl:e", "completed", 1, null);
        harvester.execute("update runs set resumed_from = " + continuedByYoung + " where id = " + youngCrawl);

        // jobs: the newest ended run decides the next trigger (skip, resume) and keeps its skipped triggers
        long olderJob = run("job:sync", "completed", 70, null);
        long failedJob = run("job:sync", "failed", 65, null);
        long skippedForIt = (Long) harvester.query("insert into runs (pipeline, status, trigger, created_at, blocked_by) values"
                + " ('job:sync', 'skipped', 'schedule', now() - interval '64 days', " + failedJob + ") returning id").get(0).get("id");
        long singleStep = run("job:sync", "completed", 63, null);
        harvester.execute("update runs set params = '{\"step\": \"copy\"}' where id = " + singleStep);

        harvester.runNow("system:retention");

        List<Map<String, Object>> sweeps = harvester.query(
                "select id, status, trigger, error, output_dir from runs where pipeline = 'system:retention'");
        assertThat(sweeps).hasSize(1);
        Map<String, Object> sweep = sweeps.get(0);
        long sweepId = (Long) sweep.get("id");
        // a run without an output folder of its own gets one from its start, for its log file
        Path sweepLog = output.resolve("system-retention/runs/" + sweepId + ".log");
        assertThat(sweep).containsEntry("status", "completed").containsEntry("trigger", "api")
                .containsEntry("error", null).containsEntry("output_dir", output.resolve("system-retention").toString());
        awaitLogFile(sweepId, sweepLog, "system:retention: 4 file(s) left alone");

        assertThat(ids("select id from runs order by id")).containsExactly(youngExport, young, live, waitingCrawl,
                retryableCrawl, continuedByLive, liveCrawl, youngCrawl, failedJob, skippedForIt, sweepId);
        assertThat(ids("select id from runs where id in (" + olderJob + ", " + singleStep + ")")).isEmpty();
        assertThat(harvester.query("select resumed_from from runs where id = " + youngCrawl).get(0))
                .containsEntry("resumed_from", null);
        assertThat(harvester.query("select resumed_from from runs where id = " + liveCrawl).get(0))
                .containsEntry("resumed_from", continuedByLive);
        List<Long> deleted = List.of(oldExport, old, skipped, supersededCrawl, newerCrawl, continuedByYoung);
        for (String child : List.of("run_steps", "run_logs", "run_outputs", "crawl_nodes")) {
            assertThat(ids("select run_id from " + child + " where run_id = any (array" + deleted + ")")).as(child).isEmpty();
        }
        assertThat(ids("select distinct run_id from crawl_nodes order by run_id"))
                .containsExactly(waitingCrawl, retryableCrawl, liveCrawl);

        assertThat(filesUnder(work)).containsExactlyInAnyOrder(
                youngCsv, youngLog, sweepLog, output.resolve("outside.csv"), secret, legacy.resolve("link.csv"), legacy.resolve("escape"),
                legacy.resolve("young.csv"), legacy.resolve("parts"), work.resolve("test-routes.camel.yaml"));
        assertThat(Files.readString(outside)).isEqualTo("not the run's");
        assertThat(Files.readString(secret)).isEqualTo("far outside");
        assertThat(Files.exists(oldCsv)).isFalse();
        assertThat(Files.exists(oldLog)).as("the old export's log file went with it").isFalse();

        assertThat(harvester.query("select s.name, s.status, s.records, s.result::text as result from run_steps s"
                + " where s.run_id = " + sweepId)).containsExactly(Map.of("name", "sweep", "status", "completed",
                "records", 8L, "result", "{\"runs\": 8, \"bytes\": " + (5 + 3 + oldCsvBytes + oldLogBytes) + ", \"files\": 4,"
                        + " \"failures\": 0, \"tempFiles\": 1, \"missingFiles\": 1, \"skippedFiles\": 4}"));
        // the run model's own rows (its log lines, extra = {"logger"}, are RunLogTest's)
        List<Map<String, Object>> logs = harvester.query("select level, message from run_logs where extra is null and run_id = "
                + sweepId + " order by id");
        assertThat(logs).hasSize(2);
        assertThat(logs.get(0)).containsEntry("level", "INFO").containsEntry("message", "deleted 8 run(s) finished more"
                + " than 30 day(s) ago, 4 file(s) (" + (5 + 3 + oldCsvBytes + oldLogBytes) + " bytes) and 1 temporary file(s);"
                + " 1 file(s) were gone already, 4 left alone");
        assertThat((String) logs.get(1).get("message")).startsWith("4 file(s) left alone")
                .contains("run " + old + " (export:legacy): ../outside.csv in " + legacy)
                .contains("link.csv", "escape/secret.csv", secret.toString());

        // nothing more to do: a second sweep deletes nothing (the first sweep is young)
        harvester.runNow("system:retention");
        assertThat(harvester.query("select s.records, r.status from run_steps s join runs r on r.id = s.run_id"
                + " where r.pipeline = 'system:retention' and r.id <> " + sweepId))
                .containsExactly(Map.of("records", 0L, "status", "completed"));
    }

    /**
     * Waits until a run's log file holds {@code line} and its run_outputs row names the file as it is on
     * disk (the writer thread takes a run's lines after the logging thread goes on).
     */
    private void awaitLogFile(long runId, Path file, String line) {
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.isRegularFile(file) && Files.readString(file).contains(line)
                && harvester.query("select bytes from run_outputs where run_id = " + runId + " and path = 'runs/" + runId
                + ".log' and not \"primary\"").equals(List.of(Map.of("bytes", Files.size(file)))));
    }

    private long run(String pipeline, String status, int daysAgo, Path outputDir) {
        boolean live = status.equals("running");
        Object id = harvester.query("insert into runs (pipeline, status, trigger, created_at, started_at, finished_at,"
                + " heartbeat_at, owner, output_dir) values ('" + pipeline + "', '" + status + "', 'schedule',"
                + " now() - interval '" + (daysAgo + 1) + " days', now() - interval '" + (daysAgo + 1) + " days', "
                + (live ? "null" : "now() - interval '" + daysAgo + " days'") + ", now(), 'other-node:/app', "
                + (outputDir == null ? "null" : "'" + outputDir + "'") + ") returning id").get(0).get("id");
        return (Long) id;
    }

    private void age(long runId, int days) {
        harvester.execute("update runs set created_at = now() - interval '" + (days + 1) + " days', finished_at = now()"
                + " - interval '" + days + " days' where id = " + runId);
    }

    private void outputs(long runId, String... paths) {
        for (String path : paths) {
            harvester.execute("insert into run_outputs (run_id, path, bytes, rows, sha256) values (" + runId + ", '"
                    + path + "', 0, 0, '')");
        }
    }

    private void nodes(long runId) {
        harvester.execute("insert into crawl_nodes (run_id, node_key, level, id, path, status) values (" + runId
                + ", '0000', 1, 'root-" + runId + "', 'root-" + runId + "', 'pending')");
    }

    private List<Long> ids(String sql) {
        return harvester.query(sql).stream().map(row -> (Long) row.values().iterator().next()).toList();
    }

    /** Every file, symlink and empty folder under the test's folder, symlinks not followed (an emptied folder stays). */
    private static List<Path> filesUnder(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) || isEmpty(p)).toList();
        }
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
