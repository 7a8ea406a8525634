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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.harvester.support.CrawlYaml;
import io.harvester.support.DaemonProcess;
import io.harvester.support.FakeUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The built jar, started the way the README says in a fresh folder: writes the demo CSV, reports healthy,
 * stops on SIGTERM, and recovers from a kill -9 in the middle of an export.
 */
class DaemonSmokeIT {

    private DaemonProcess harvester;
    private Process daemon;
    private Path folder;
    private int port;

    @AfterEach
    void stop() throws Exception {
        if (harvester != null) {
            harvester.close();
        }
    }

    @Test
    void should_start_from_a_bare_folder_write_the_demo_export_and_be_healthy() throws Exception {
        prepareFolder();
        daemon = startDaemon();

        Path exports = folder.resolve("output").resolve("demo-orders");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> csvFiles(exports).size() == 1);
        List<String> lines = Files.readAllLines(csvFiles(exports).get(0));
        assertThat(lines).hasSize(2501);
        assertThat(lines.get(0)).isEqualTo("id,customer,amount,status,express,note");
        assertThat(lines.get(1)).isEqualTo("1,Grace Hopper,1.37,paid,false,order 1");

        HttpResponse<String> health = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("UP");
        assertThat(folder.resolve("logs").resolve("harvester.log")).content().contains("Export demo-orders run");
        Path features = folder.resolve("output").resolve("demo-features");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> csvFiles(features).size() == 1);
        List<String> nodes = Files.readAllLines(csvFiles(features).get(0));
        assertThat(nodes).hasSize(1 + 340);
        assertThat(nodes.subList(0, 3)).containsExactly("level,id,name,type,parent_id,path",
                "1,1,department 1,department,,1", "2,1.1,category 1.1,category,1,1/1.1");
        // the run id travels with the run's work onto the pool threads that log it (the line comes once the CSV is
        // published and recorded: awaited, not read at once)
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> Pattern.compile("- page\\] \\[run=\\d+\\] CrawlRun - Crawl demo-features run \\d+ ended").matcher(log()).find());
        // the demo keyword rows became task sets in the embedded Redis
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> Pattern.compile("dispatch:generate: run \\d+ completed: 8 set\\(s\\) planned, 8 written now,"
                        + " 1 row\\(s\\) rejected").matcher(log()).find());
        // and the demo job filed the demo test results at start-up
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> Pattern.compile("\\[run=(\\d+)\\] JobExecution - Job test-results-sync: run \\1 completed")
                        .matcher(log()).find());

        // the dev profile generated an API token for its owner's eyes only; the log names the file, not the token
        Path tokenFile = folder.resolve("data").resolve("api-token");
        String token = Files.readString(tokenFile).strip();
        assertThat(token).hasSizeGreaterThanOrEqualTo(40);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
        assertThat(log()).contains("API token generated into " + tokenFile.toAbsolutePath()).doesNotContain(token);
        assertThat(Files.readString(folder.resolve("console.log"))).doesNotContain(token);
        HttpRequest.Builder report = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/tasks/status"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"id\": \"t1\", \"state\": \"running\"}"));
        assertThat(HttpClient.newHttpClient().send(report.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        HttpResponse<String> accepted = HttpClient.newHttpClient().send(report.header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode() + " " + accepted.body()).isEqualTo("202 {\"accepted\":1}");

        // Hawtio's way in, from the jar as packed: the demo export's MBean over Jolokia, and the policy's refusal
        HttpResponse<String> state = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + port + "/observe/jolokia/read/io.harvester:type=export,name=%22demo-orders%22/LastRunStatus")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(state.body()).contains("\"value\":\"completed\"").contains("\"status\":200");
        HttpResponse<String> gc = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + port + "/observe/jolokia/exec/java.lang:type=Memory/gc")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(gc.body()).contains("\"status\":403");

        daemon.destroy();
        assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
        assertThat(Files.readString(folder.resolve("console.log"))).contains("Embedded PostgreSQL stopped");
    }

    @Test
    void should_take_settings_from_environment_variables() throws Exception {
        prepareFolder();
        // no -D at all: the port (a camel.* key) and the output folder (a harvester.* key) come from the environment
        daemon = harvester.portFromEnvironment().env("HARVESTER_OUTPUT_DIR", "from-env").start().process();

        Path exports = folder.resolve("from-env").resolve("demo-orders");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> csvFiles(exports).size() == 1);
        assertThat(Files.readAllLines(csvFiles(exports).get(0))).hasSize(2501);
        assertThat(folder.resolve("output")).doesNotExist();
        HttpResponse<String> health = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
    }

    private String log() throws IOException {
        Path log = folder.resolve("logs").resolve("harvester.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Test
    void should_recover_from_a_kill_in_the_middle_of_an_export() throws Exception {
        prepareFolder();
        Path exports = folder.resolve("output").resolve("demo-orders");
        Path features = folder.resolve("output").resolve("demo-features");
        daemon = startDaemon("-Dcamel.beans.demoOrders.total=5000000", "-Dharvester.demo.page-size=500");
        // the demo crawl (340 nodes) ends long before the 5,000,000-row export: at the kill only the export is live
        // the crawl's and the demo job's runs must have ended, not only written their file
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> csvFiles(features).size() == 1
                        && Pattern.compile("Crawl demo-features run \\d+ ended:").matcher(log()).find()
                        && Pattern.compile("Job test-results-sync: run \\d+ completed").matcher(log()).find()
                        && Pattern.compile("dispatch:generate: run \\d+ completed").matcher(log()).find()
                        && tempFiles(exports).size() == 1 && Files.size(tempFiles(exports).get(0)) > 100_000);

        daemon.destroyForcibly();
        assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(tempFiles(exports)).hasSize(1);
        assertThat(csvFiles(exports)).as("no partial file under a final name").isEmpty();
        Path leftover = tempFiles(exports).get(0);

        daemon = startDaemon();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> csvFiles(exports).size() == 1);
        assertThat(leftover).doesNotExist();
        assertThat(Files.readAllLines(csvFiles(exports).get(0))).hasSize(2501);
        String console = Files.readString(folder.resolve("console.log"));
        assertThat(console).contains("1 run(s) left live by a previous process of this instance")
                .contains("removed 1 temporary file(s) left by interrupted runs")
                .contains("A PostgreSQL server left behind")
                .contains("Stopping embedded Redis");
        daemon.destroy();
        assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void should_finish_a_crawl_killed_mid_way_without_asking_completed_nodes_again() throws Exception {
        prepareFolder();
        try (FakeUpstream tree = FakeUpstream.start().tree(5, 4).latencyMs(30)) {
            Files.writeString(folder.resolve("routes").resolve("crawls.camel.yaml"),
                    CrawlYaml.crawl("features", tree.url("/tree"), Map.of("maxInFlight", "4", "runAtStartup", "true")).yaml());
            Path crawls = folder.resolve("output").resolve("features");
            daemon = startDaemon("-Dharvester.demo.run-at-startup=false");
            await().atMost(Duration.ofSeconds(60)).until(() -> tree.lookupCounts().size() >= 40);

            daemon.destroyForcibly();
            assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
            Map<String, Integer> beforeKill = tree.lookupCounts();
            assertThat(beforeKill.size()).isLessThan(156);
            assertThat(csvFiles(crawls)).isEmpty();

            daemon = startDaemon("-Dharvester.demo.run-at-startup=false");
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> csvFiles(crawls).size() == 1);
            assertThat(Files.readString(csvFiles(crawls).get(0))).isEqualTo(tree.expectedTreeCsv());
            Map<String, Integer> all = tree.lookupCounts();
            assertThat(all).hasSize(156);
            // only lookups in flight at the kill (at most maxInFlight) or whose answers were being written
            // (at most maxInFlight more) may be asked again
            long askedTwice = all.values().stream().filter(n -> n > 1).count();
            assertThat(askedTwice).isLessThanOrEqualTo(2 * 4);
            assertThat(all.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(2));
            assertThat(Files.readString(folder.resolve("console.log"))).containsPattern("Crawl features run \\d+ continues run 1: \\d+ lookups to go");
        }
    }

    private void prepareFolder() {
        harvester = DaemonProcess.prepare();
        folder = harvester.folder();
        port = harvester.port();
    }

    /** The demo job runs at start-up only: a tick of its 4-hourly cron mid-test would add a run. */
    private Process startDaemon(String... properties) {
        List<String> all = new java.util.ArrayList<>(List.of(properties));
        all.add("-Dharvester.jobs.test-results-sync.cron=");
        return harvester.start(all.toArray(String[]::new)).process();
    }

    private static List<Path> tempFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".csv.tmp")).toList();
        }
    }

    private static List<Path> csvFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".csv")).toList();
        }
    }
}
