package io.harvester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import io.harvester.support.CrawlYaml;
import io.harvester.support.DaemonProcess;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.OrderRecords;
import io.harvester.support.RunsApiClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two real daemons on one database, a run started over the API on node-a, node-a killed with {@code kill -9}
 * mid-run: once node-a has been silent for the lease, node-b claims the run and finishes the same run id (a crawl
 * from its checkpoint, an export from its first page), with the exact file a single instance writes.
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
        DaemonProcess a = daemon("node-a", null, "crawls.camel.yaml", routes);
        DaemonProcess b = daemon("node-b", a.dbUrl(), "crawls.camel.yaml", routes);
        startBoth(a, b);

        long id = new RunsApiClient(a).start("{\"pipeline\": \"crawl:tree\"}");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> upstream.lookupCounts().size() >= treeLookups * 3 / 10);
        long killedAt = kill(a);

        Map<String, Integer> atKill = upstream.lookupCounts();
        assertThat(atKill.size()).as("lookups asked before the kill").isLessThan(treeLookups);
        // lookups whose answers node-a recorded: the root call (level-1 nodes exist) and every done node above the leaves
        List<String> recorded = new ArrayList<>(a.query("select id from crawl_nodes where run_id = " + id
                + " and status = 'done' and level < 4").stream().map(row -> (String) row.get("id")).toList());
        recorded.add("");
        int toGo = treeLookups - recorded.size();
        assertThat(a.query("select status, owner from runs where id = " + id))
                .containsExactly(Map.of("status", "running", "owner", "node-a"));

        long tookMs = awaitCompleted(b, id, killedAt);
        long firstLookupMs = firstAfter(upstream.lookupTimes(), killedAt);
        System.out.printf("TakeoverIT crawl: %d of %d lookups recorded at the kill; first lookup on node-b %d ms and"
                + " completion %d ms after the kill%n", recorded.size(), treeLookups, firstLookupMs, tookMs);

        assertTakenOver(b, id, "crawl:tree");
        assertThat(onlyCsv(b, "tree")).isEqualTo(upstream.expectedTreeCsv());
        assertThat(a.files("output/tree")).as("node-a published nothing").noneMatch(f -> f.endsWith(".csv"));
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
    void should_start_an_export_of_a_killed_instance_over_on_the_survivor_as_the_same_run() throws Exception {
        int pages = 30;
        int concurrency = 2;
        long latencyMs = 400;
        // 30 pages of 100, 2 at a time, 400 ms each: about 6 s
        upstream = FakeUpstream.start().total(pages * 100L).latencyMs(latencyMs);
        String routes = ExportYaml.exports().export("slow", upstream.url("/orders"),
                Map.of("pageSize", "100", "concurrency", String.valueOf(concurrency))).yaml();
        DaemonProcess a = daemon("node-a", null, "exports.camel.yaml", routes);
        DaemonProcess b = daemon("node-b", a.dbUrl(), "exports.camel.yaml", routes);
        startBoth(a, b);

        long id = new RunsApiClient(a).start("{\"pipeline\": \"export:slow\"}");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> upstream.requests() >= pages * 3 / 10);
        long killedAt = kill(a);
        int askedByA = upstream.requestUris().size();
        assertThat(askedByA).as("pages asked before the kill").isLessThan(pages);
        assertThat(a.query("select status, owner from runs where id = " + id))
                .containsExactly(Map.of("status", "running", "owner", "node-a"));

        long tookMs = awaitCompleted(b, id, killedAt);
        long firstPageMs = firstAfter(upstream.requestTimes(1), killedAt);
        System.out.printf("TakeoverIT export: %d of %d pages asked at the kill; page 1 on node-b %d ms and completion"
                + " %d ms after the kill%n", askedByA, pages, firstPageMs, tookMs);

        assertTakenOver(b, id, "export:slow");
        assertThat(onlyCsv(b, "slow")).isEqualTo(OrderRecords.csv(pages * 100L));
        assertThat(a.files("output/slow")).as("node-a published nothing").noneMatch(f -> f.endsWith(".csv"));
        List<String> asked = upstream.requestUris();
        assertThat(asked.subList(askedByA, asked.size()).stream().map(TakeoverIT::page).toList())
                .as("node-b started over: every page once").containsExactlyInAnyOrderElementsOf(
                        IntStream.rangeClosed(1, pages).boxed().toList());
        long workMs = (pages + concurrency - 1) / concurrency * latencyMs;
        assertThat(tookMs).as("kill to completion, against the lease + %d ms of pages", workMs)
                .isLessThan(LEASE_MS + workMs + MARGIN_MS);
    }

    /** A daemon with the pipeline's route file, on a fresh database ({@code dbUrl} null) or another daemon's. */
    private DaemonProcess daemon(String instance, String dbUrl, String routeFile, String routes) {
        DaemonProcess daemon = dbUrl == null ? DaemonProcess.prepare().prod() : DaemonProcess.prepare().prod(dbUrl);
        daemons.add(daemon);
        return daemon.env("HARVESTER_INSTANCE_ID", instance).env("HARVESTER_API_TOKEN", HarvesterRuntime.API_TOKEN)
                .routes(routeFile, routes);
    }

    private static void startBoth(DaemonProcess a, DaemonProcess b) {
        a.start(CLUSTER);
        b.start(CLUSTER);
        a.awaitHealthy(Duration.ofSeconds(120));
        b.awaitHealthy(Duration.ofSeconds(120));
        await().atMost(Duration.ofSeconds(30)).until(() -> a.query("select id from instances"
                + " where heartbeat_at > now() - interval '2 seconds' order by id").size() == 2);
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
     * The run is node-b's, taken over once, and the only run of its pipeline; its log says who took it from whom
     * and since when that one was silent (its last beat in table instances, as the stale-run sweep words it).
     */
    private static void assertTakenOver(DaemonProcess survivor, long id, String pipeline) {
        assertThat(survivor.query("select id, status, owner, takeovers, error is null as clean from runs"
                + " where pipeline = '" + pipeline + "'")).containsExactly(
                Map.of("id", id, "status", "completed", "owner", "node-b", "takeovers", 1, "clean", true));
        String silentSince = (String) survivor.query("select to_char(heartbeat_at at time zone 'UTC',"
                + " 'YYYY-MM-DD HH24:MI:SS') as t from instances where id = 'node-a'").get(0).get("t");
        assertThat(survivor.query("select level, message from run_logs where run_id = " + id
                + " and message like 'taken over%'")).containsExactly(Map.of("level", "WARN",
                "message", "taken over by instance node-b: instance node-a silent since " + silentSince + " UTC"));
    }

    /** The one file the survivor published for the pipeline; no temporary file left beside it (run logs aside). */
    private static String onlyCsv(DaemonProcess survivor, String name) throws Exception {
        List<String> files = survivor.files("output/" + name).stream().filter(f -> !f.startsWith("runs/")).toList();
        assertThat(files).as("node-b's output of %s", name).hasSize(1).allMatch(f -> f.endsWith(".csv"));
        return Files.readString(survivor.folder().resolve("output").resolve(name).resolve(files.get(0)));
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
