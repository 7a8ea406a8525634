package io.harvester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.support.CrawlYaml;
import io.harvester.support.DaemonProcess;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.JobYaml;
import io.harvester.support.OrderRecords;
import io.harvester.support.RunsApiClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real daemons on one database, a run started over the API on node-a, node-a killed with {@code kill -9}
 * mid-run: once node-a has been silent for the lease, node-b claims the run and finishes the same run id (a crawl
 * from its checkpoint, an export from its first page, a job from the step that was running), with the exact file
 * a single instance writes. A run taken
 * over more than harvester.cluster.max-takeovers times ends failed instead. An instance paused past the lease
 * ({@code kill -STOP}) that comes back ({@code kill -CONT}) is fenced: it writes and publishes nothing more of the run.
 */
class TakeoverIT {

    private static final long LEASE_MS = 3000;
    /** Short beats and lease; stale-after at its default, so that the old sweep cannot abandon the run first. */
    private static final String[] CLUSTER = {"-Xmx384m", "-Dharvester.cluster.heartbeat=300ms",
            "-Dharvester.cluster.lease=" + LEASE_MS + "ms", "-Dharvester.runs.stale-after-ms=300000"};
    /** What two JVMs on 2 cores may add to the lease and the work left: the takeover's own start, GC, a busy machine. */
    private static final long MARGIN_MS = 15_000;

    private final List<DaemonProcess> daemons = new ArrayList<>();
    private FakeUpstream upstream;

    @AfterEach
    void stop() throws Exception {
        for (DaemonProcess daemon : daemons) {
            daemon.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void should_finish_a_crawl_of_a_killed_instance_on_the_survivor_from_its_checkpoint() throws Exception {
        int maxInFlight = 4;
        long latencyMs = 80;
        // 156 lookups (the root call and levels 1 to 3) for 780 nodes; about 3 s of lookups at 4 in flight
        upstream = FakeUpstream.start().tree(5, 4).latencyMs(latencyMs);
        int treeLookups = 1 + 5 + 25 + 125;
        String routes = CrawlYaml.crawl("tree", upstream.url("/tree"),
                Map.of("depth", "4", "maxInFlight", String.valueOf(maxInFlight))).yaml();
        Cluster cluster = startOnA("crawl:tree", "crawls.camel.yaml", routes, routes, null);
        DaemonProcess a = cluster.a();
        DaemonProcess b = cluster.b();
        long id = cluster.id();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> upstream.lookupCounts().size() >= treeLookups * 3 / 10);
        long killedAt = kill(a);

        assertThat(upstream.lookupCounts().size()).as("lookups asked before the kill").isLessThan(treeLookups);
        // lookups whose answers node-a recorded: the root call (level-1 nodes exist) and every done node above the leaves
        List<String> recorded = new ArrayList<>(a.query("select id from crawl_nodes where run_id = " + id
                + " and status = 'done' and level < 4").stream().map(row -> (String) row.get("id")).toList());
        recorded.add("");
        int toGo = treeLookups - recorded.size();

        long tookMs = awaitCompleted(b, id, killedAt);
        long firstLookupMs = firstAfter(upstream.lookupTimes(), killedAt);
        System.out.printf("TakeoverIT crawl: %d of %d lookups recorded at the kill; first lookup on node-b %d ms and"
                + " completion %d ms after the kill%n", recorded.size(), treeLookups, firstLookupMs, tookMs);

        assertTakenOver(b, id, "crawl:tree", 780);
        assertThat(onlyCsv(b.folder().resolve("output").resolve("tree"))).isEqualTo(upstream.expectedTreeCsv());
        assertThat(outputs(a.folder().resolve("output").resolve("tree"))).as("node-a published nothing").isEmpty();
        Map<String, Integer> all = upstream.lookupCounts();
        assertThat(all).hasSize(treeLookups);
        assertThat(recorded).allSatisfy(node -> assertThat(all.get(node)).as("lookups of recorded node '%s'", node).isEqualTo(1));
        // only lookups in flight at the kill, or whose answers were not yet recorded, are asked again
        assertThat(all.values().stream().mapToInt(Integer::intValue).sum()).isLessThanOrEqualTo(treeLookups + 2 * maxInFlight);
        assertThat(all.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(2));
        long workLeftMs = (toGo + maxInFlight - 1) / maxInFlight * latencyMs;
        assertThat(tookMs).as("kill to completion, against the lease + %d ms of lookups left", workLeftMs)
                .isLessThan(LEASE_MS + workLeftMs + MARGIN_MS);
    }

    @Test
    void should_start_an_export_of_a_killed_instance_over_on_the_survivor_as_the_same_run(@TempDir Path shared) throws Exception {
        int pages = 30;
        int concurrency = 2;
        long latencyMs = 400;
        // 30 pages of 100, 2 at a time, 400 ms each: about 6 s; one output folder for both (a shared volume)
        Cluster cluster = startSlowExport(shared, pages, concurrency, latencyMs);
        DaemonProcess b = cluster.b();
        long id = cluster.id();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> upstream.requests() >= pages * 3 / 10);
        long killedAt = kill(cluster.a());
        int askedByA = upstream.requestUris().size();
        assertThat(askedByA).as("pages asked before the kill").isLessThan(pages);
        assertThat(outputs(shared.resolve("slow"))).as("node-a's temporary file").singleElement()
                .matches(f -> f.endsWith(".csv.tmp"));

        long tookMs = awaitCompleted(b, id, killedAt);
        long firstPageMs = firstAfter(upstream.requestTimes(1), killedAt);
        System.out.printf("TakeoverIT export: %d of %d pages asked at the kill; page 1 on node-b %d ms and completion"
                + " %d ms after the kill%n", askedByA, pages, firstPageMs, tookMs);

        assertTakenOver(b, id, "export:slow", pages * 100);
        // node-b wrote a temporary file of its own and removed node-a's
        assertThat(onlyCsv(shared.resolve("slow"))).isEqualTo(OrderRecords.csv(pages * 100L));
        List<String> asked = upstream.requestUris();
        assertThat(asked.subList(askedByA, asked.size()).stream().map(TakeoverIT::page).toList())
                .as("node-b started over: every page once").containsExactlyInAnyOrderElementsOf(
                        IntStream.rangeClosed(1, pages).boxed().toList());
        long workMs = (pages + concurrency - 1) / concurrency * latencyMs;
        assertThat(tookMs).as("kill to completion, against the lease + %d ms of pages", workMs)
                .isLessThan(LEASE_MS + workMs + MARGIN_MS);
    }

    @Test
    void should_continue_a_job_of_a_killed_instance_from_the_step_that_was_running() throws Exception {
        // s2 outlasts the lease: node-a's statement is still sleeping in PostgreSQL when node-b claims the run
        String routes = JobYaml.job("sync",
                "prepare", "create table if not exists job_effects (step text not null)",
                "s1", "insert into job_effects (step) values ('s1')",
                "s2", "insert into job_effects (step) select 's2' from pg_sleep(5)",
                "s3", "insert into job_effects (step) values ('s3')");
        Cluster cluster = startOnA("job:sync", "jobs.camel.yaml", routes, routes, null);
        DaemonProcess b = cluster.b();
        long id = cluster.id();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> b.query(
                "select 1 from run_steps where run_id = " + id + " and name = 's2' and status = 'running'").size() == 1);
        long killedAt = kill(cluster.a());

        long tookMs = awaitCompleted(b, id, killedAt);
        System.out.printf("TakeoverIT job: killed in step s2; completed on node-b %d ms after the kill%n", tookMs);

        assertThat(b.query("select status, owner, takeovers from runs where id = " + id))
                .containsExactly(Map.of("status", "completed", "owner", "node-b", "takeovers", 1));
        assertThat(b.query("select name, status, attempt from run_steps where run_id = " + id + " order by ordinal"))
                .as("the steps node-a completed stay done; the running one ran again").containsExactly(
                        Map.of("name", "prepare", "status", "completed", "attempt", 1),
                        Map.of("name", "s1", "status", "completed", "attempt", 1),
                        Map.of("name", "s2", "status", "completed", "attempt", 2),
                        Map.of("name", "s3", "status", "completed", "attempt", 1));
        // node-a's s2 was terminated at the claim, before it could commit: each step's effect once
        assertThat(b.query("select step, count(*) as n from job_effects group by step order by step")).containsExactly(
                Map.of("step", "s1", "n", 1L), Map.of("step", "s2", "n", 1L), Map.of("step", "s3", "n", 1L));
        assertThat(b.errorLines()).as("node-b's errors").isEmpty();
    }

    @Test
    void should_fail_a_run_taken_over_more_than_max_takeovers_times(@TempDir Path shared) throws Exception {
        Cluster cluster = startSlowExport(shared, 30, 2, 400);
        DaemonProcess b = cluster.b();
        long id = cluster.id();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> upstream.requests() >= 3);
        kill(cluster.a());
        int askedByA = upstream.requests();
        // as if three instances had died under it already (written once node-a is dead: a live node-a would be
        // fenced off its run by the changed count, and stop it), well within the lease before node-b's claim
        b.execute("update runs set takeovers = 3 where id = " + id);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> b.query(
                "select 1 from runs where id = " + id + " and status <> 'running'").size() == 1);
        Map<String, Object> run = b.query("select status, owner, takeovers, error from runs where id = " + id).get(0);
        assertThat(run).containsEntry("status", "failed").containsEntry("owner", "node-b").containsEntry("takeovers", 4);
        String error = (String) run.get("error");
        assertThat(error).startsWith("taken over more than harvester.cluster.max-takeovers = 3 times");
        assertThat(b.query("select level, message from run_logs where run_id = " + id + " and extra is null order by id"))
                .as("the run model's rows: the takeover, then the end").extracting(row -> row.get("level"))
                .containsExactly("WARN", "ERROR");
        assertThat(b.query("select message from run_logs where run_id = " + id + " and level = 'ERROR' and extra is null"))
                .containsExactly(Map.of("message", error));
        assertThat(upstream.requests()).as("node-b asked no page").isEqualTo(askedByA);
        assertThat(outputs(shared.resolve("slow"))).as("nothing published").noneMatch(f -> f.endsWith(".csv"));
    }

    @Test
    void should_fence_a_paused_instance_that_comes_back_after_its_export_was_taken_over(@TempDir Path shared) throws Exception {
        int pages = 20;
        int concurrency = 2;
        long latencyMs = 400;
        // node-a asks an upstream of its own (same answers), so that what the paused instance asks once back is counted apart
        upstream = FakeUpstream.start().total(pages * 100L).latencyMs(latencyMs);
        try (FakeUpstream upstreamOfA = FakeUpstream.start().total(pages * 100L).latencyMs(latencyMs)) {
            Cluster cluster = startOnA("export:slow", "exports.camel.yaml", slowExport(upstreamOfA, concurrency),
                    slowExport(upstream, concurrency), shared);
            DaemonProcess a = cluster.a();
            DaemonProcess b = cluster.b();
            long id = cluster.id();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> upstreamOfA.requests() >= 6);
            signal(a, "STOP");
            long pausedAt = System.nanoTime();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> upstream.requests() >= 2);
            assertThat(b.query("select owner, takeovers from runs where id = " + id))
                    .containsExactly(Map.of("owner", "node-b", "takeovers", 1));
            int askedByA = upstreamOfA.requests();
            // node-a beats again once back
            String silentSince = silentSince(b);
            signal(a, "CONT");

            long tookMs = awaitCompleted(b, id, pausedAt);
            await().atMost(Duration.ofSeconds(30)).until(() -> a.log().contains("stops here"));
            System.out.printf("TakeoverIT fencing: node-a paused after %d of %d pages; node-b completed %d ms after the pause%n",
                    askedByA, pages, tookMs);

            assertTakenOver(b, id, "export:slow", pages * 100, silentSince);
            assertThat(onlyCsv(shared.resolve("slow"))).as("node-b's file, and no temporary file of node-a's")
                    .isEqualTo(OrderRecords.csv(pages * 100L));
            assertThat(b.query("select ordinal, name, status, records from run_steps where run_id = " + id + " order by ordinal"))
                    .containsExactly(Map.of("ordinal", 1, "name", "fetch", "status", "completed", "records", (long) pages),
                            Map.of("ordinal", 2, "name", "publish", "status", "completed", "records", pages * 100L));
            assertThat(upstreamOfA.requests()).as("pages node-a asked once back: those its window had handed out at most")
                    .isLessThanOrEqualTo(askedByA + concurrency);
            assertThat(a.log().lines().filter(line -> line.contains("stops here")).toList()).singleElement().asString()
                    .endsWith("run " + id + " of export:slow stops here: taken over by instance node-b, takeover 1 while this"
                            + " instance was silent; this copy writes and publishes nothing");
            assertThat(a.errorLines()).as("node-a's errors").isEmpty();
            assertThat(a.process().isAlive()).as("node-a lives on as an instance").isTrue();
        }
    }

    private static String slowExport(FakeUpstream upstream, int concurrency) {
        return ExportYaml.exports().export("slow", upstream.url("/orders"),
                Map.of("pageSize", "100", "concurrency", String.valueOf(concurrency))).yaml();
    }

    private static void signal(DaemonProcess daemon, String signal) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, String.valueOf(daemon.process().pid())).start().waitFor()).isZero();
    }

    /** Both instances on one database, one output folder, an export of {@code pages} slow pages started on node-a. */
    private Cluster startSlowExport(Path output, int pages, int concurrency, long latencyMs) throws Exception {
        upstream = FakeUpstream.start().total(pages * 100L).latencyMs(latencyMs);
        String routes = slowExport(upstream, concurrency);
        return startOnA("export:slow", "exports.camel.yaml", routes, routes, output);
    }

    /** node-a and node-b, both healthy and beating, and a run started over node-a's API. */
    private record Cluster(DaemonProcess a, DaemonProcess b, long id) {
    }

    /**
     * node-a and node-b on one database with the pipeline's route file, each its own version of it (and the given
     * output folder, else each its own), both healthy and beating; then a run of {@code pipeline} started over node-a's API, node-a's.
     */
    private Cluster startOnA(String pipeline, String routeFile, String routesOfA, String routesOfB, Path output) throws Exception {
        DaemonProcess a = daemon("node-a", null, routeFile, routesOfA, output);
        DaemonProcess b = daemon("node-b", a.dbUrl(), routeFile, routesOfB, output);
        a.start(CLUSTER);
        b.start(CLUSTER);
        a.awaitHealthy(Duration.ofSeconds(120));
        b.awaitHealthy(Duration.ofSeconds(120));
        await().atMost(Duration.ofSeconds(30)).until(() -> a.query("select id from instances"
                + " where heartbeat_at > now() - interval '2 seconds' order by id").size() == 2);
        long id = new RunsApiClient(a).start("{\"pipeline\": \"" + pipeline + "\"}");
        assertThat(a.query("select status, owner from runs where id = " + id))
                .containsExactly(Map.of("status", "running", "owner", "node-a"));
        return new Cluster(a, b, id);
    }

    private DaemonProcess daemon(String instance, String dbUrl, String routeFile, String routes, Path output) {
        DaemonProcess daemon = dbUrl == null ? DaemonProcess.prepare().prod() : DaemonProcess.prepare().prod(dbUrl);
        daemons.add(daemon);
        if (output != null) {
            daemon.env("HARVESTER_OUTPUT_DIR", output.toString());
        }
        return daemon.env("HARVESTER_INSTANCE_ID", instance).env("HARVESTER_API_TOKEN", HarvesterRuntime.API_TOKEN)
                .routes(routeFile, routes);
    }

    /** kill -9, then waits for the process to be gone: the moment (nanoTime) from which all lookups are node-b's. */
    private static long kill(DaemonProcess daemon) throws InterruptedException {
        daemon.process().destroyForcibly();
        assertThat(daemon.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        return System.nanoTime();
    }

    /** Waits for the run to end; the milliseconds from {@code killedAt}, failing unless it ended completed. */
    private static long awaitCompleted(DaemonProcess survivor, long id, long killedAt) {
        String row = "select status, owner, error from runs where id = " + id;
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThat(survivor.query(row).get(0)).as("run %d", id).doesNotContainEntry("status", "running"));
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        assertThat(survivor.query(row).get(0)).as("run %d", id).containsEntry("status", "completed");
        return took;
    }

    /**
     * The run is node-b's, taken over once, and the only run of its pipeline, with one published file of
     * {@code rows} rows; its log says who took it from whom and since when that one was silent (its last beat in
     * table instances, as the stale-run sweep words it); node-b's API shows the takeover.
     */
    private static void assertTakenOver(DaemonProcess survivor, long id, String pipeline, long rows) throws Exception {
        assertTakenOver(survivor, id, pipeline, rows, silentSince(survivor));
    }

    /** node-a's last beat, as the takeover's log row words it. */
    private static String silentSince(DaemonProcess daemon) {
        return (String) daemon.query("select to_char(heartbeat_at at time zone 'UTC',"
                + " 'YYYY-MM-DD HH24:MI:SS') as t from instances where id = 'node-a'").get(0).get("t");
    }

    private static void assertTakenOver(DaemonProcess survivor, long id, String pipeline, long rows, String silentSince)
            throws Exception {
        assertThat(survivor.query("select id, status, owner, takeovers, error is null as clean from runs"
                + " where pipeline = '" + pipeline + "'")).containsExactly(
                Map.of("id", id, "status", "completed", "owner", "node-b", "takeovers", 1, "clean", true));
        assertThat(survivor.query("select level, message from run_logs where run_id = " + id
                + " and message like 'taken over%'")).containsExactly(Map.of("level", "WARN",
                "message", "taken over by instance node-b: instance node-a silent since " + silentSince + " UTC"));
        assertThat(survivor.query("select rows from run_outputs where run_id = " + id + " and \"primary\""))
                .containsExactly(Map.of("rows", rows));
        String answer = new RunsApiClient(survivor).get("/api/runs/" + id);
        assertThat(answer).startsWith("200 ");
        JsonNode detail = new ObjectMapper().readTree(answer.substring(4));
        assertThat(List.of(detail.path("status").asText(), detail.path("owner").asText(), detail.path("takeovers").asInt()))
                .containsExactly("completed", "node-b", 1);
        assertThat(survivor.errorLines()).as("node-b's errors").isEmpty();
    }

    /** The one file published in a pipeline's output folder, with no temporary file left beside it. */
    private static String onlyCsv(Path folder) throws Exception {
        List<String> files = outputs(folder);
        assertThat(files).as("files in %s", folder).singleElement().matches(f -> f.endsWith(".csv"));
        return Files.readString(folder.resolve(files.get(0)));
    }

    /** The files in a pipeline's output folder, its run logs (runs/) aside. */
    private static List<String> outputs(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(Files::isRegularFile).map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    /** Milliseconds from {@code since} to the first of these arrival times after it (nanoTime). */
    private static long firstAfter(List<Long> times, long since) {
        return TimeUnit.NANOSECONDS.toMillis(times.stream().filter(t -> t > since).min(Long::compare).orElseThrow() - since);
    }

    private static int page(String uri) {
        Matcher m = Pattern.compile("[?&]page=(\\d+)").matcher(uri);
        assertThat(m.find()).as(uri).isTrue();
        return Integer.parseInt(m.group(1));
    }
}
