package io.harvester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.harvester.support.CrawlYaml;
import io.harvester.support.DaemonProcess;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.RunsApiClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One crawl spread over three real daemons on one database and one Redis ({@code spread: true}): every instance
 * makes lookups of the run node-a began, the upstream never has more in flight than the crawl's limits allow,
 * each node is asked once, and node-a writes the whole tree. How long it takes against one instance is printed
 * here and measured by bench/run.sh spread (a number belongs in a benchmark, not in a timed test).
 */
class SpreadIT {

    private static final String[] CLUSTER = {"-Xmx256m", "-Dharvester.cluster.heartbeat=200ms",
            "-Dharvester.cluster.lease=5000ms"};
    private static final List<String> NODES = List.of("node-a", "node-b", "node-c");
    /** Per level, then in all: what the upstream may see in flight. */
    private static final int[] LEVELS = {2, 3, 4, 4};
    private static final int MAX_IN_FLIGHT = 6;

    private final List<DaemonProcess> daemons = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (DaemonProcess daemon : daemons) {
            daemon.close();
        }
    }

    @Test
    void should_spread_one_crawl_over_three_instances_within_the_crawls_limits() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start().tree(5, 4).latencyMs(60);
             FakeUpstream small = FakeUpstream.start().tree(4, 3).latencyMs(60)) {
            int lookups = 1 + 5 + 25 + 125;
            String dbUrl = null;
            for (String node : NODES) {
                DaemonProcess daemon = dbUrl == null ? DaemonProcess.prepare().prod() : DaemonProcess.prepare().prod(dbUrl);
                dbUrl = daemon.dbUrl();
                daemons.add(daemon.env("HARVESTER_INSTANCE_ID", node).env("HARVESTER_API_TOKEN", HarvesterRuntime.API_TOKEN)
                        .routes("crawls.camel.yaml", crawl("tree", upstream, node) + crawl("warm", small, node)));
            }
            daemons.forEach(daemon -> daemon.start(CLUSTER));
            for (DaemonProcess daemon : daemons) {
                daemon.awaitHealthy(Duration.ofSeconds(120));
            }
            DaemonProcess a = daemons.get(0);
            await().atMost(Duration.ofSeconds(30)).until(() -> a.query("select id from instances"
                    + " where heartbeat_at > now() - interval '1 second'").size() == 3);

            // a small spread crawl first: fresh JVMs load their code and open their connections on it, not on the one measured
            crawl(a, "crawl:warm");
            assertThat(small.lookupsBy()).as("the small crawl's lookups").hasSize(3);
            long spreadMs = crawl(a, "crawl:tree");
            String csv = Files.readString(onlyCsv(a, "tree"));
            Map<String, Integer> by = upstream.lookupsBy();
            Map<String, Integer> counts = upstream.lookupCounts();
            int[] maxByLevel = {upstream.maxInFlight(1), upstream.maxInFlight(2), upstream.maxInFlight(3), upstream.maxInFlight(4)};
            int maxInFlight = upstream.maxInFlight();
            System.out.printf("SpreadIT: %d lookups by instance %s; most in flight per level %s of %s, in all %d of %d;"
                    + " %d ms over three instances%n", lookups, by, java.util.Arrays.toString(maxByLevel),
                    java.util.Arrays.toString(LEVELS), maxInFlight, MAX_IN_FLIGHT, spreadMs);

            assertThat(csv).isEqualTo(upstream.expectedTreeCsv());
            assertThat(counts).hasSize(lookups).allSatisfy((node, n) -> assertThat(n).as(node).isEqualTo(1));
            assertThat(by.keySet()).containsExactlyInAnyOrderElementsOf(NODES);
            assertThat(by.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(lookups);
            // each makes its share (a third, at most two of the six in flight); on the loaded 2-core machine one of them
            // may fall behind a little (17 % once in nine runs), never out of the crawl
            assertThat(by).allSatisfy((node, n) -> assertThat(n).as("lookups of %s", node).isGreaterThanOrEqualTo(lookups / 10));
            for (int level = 1; level <= 4; level++) {
                assertThat(maxByLevel[level - 1]).as("most in flight at level %d", level).isLessThanOrEqualTo(LEVELS[level - 1]);
            }
            assertThat(maxInFlight).as("most in flight in all").isLessThanOrEqualTo(MAX_IN_FLIGHT);
            assertThat(a.query("select owner, takeovers from runs where pipeline = 'crawl:tree'"))
                    .containsExactly(Map.of("owner", "node-a", "takeovers", 0));
            for (DaemonProcess daemon : daemons) {
                assertThat(daemon.errorLines()).isEmpty();
            }
        }
    }


    private static String crawl(String name, FakeUpstream upstream, String node) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("depth", "4");
        parameters.put("levelConcurrency", "2,3,4,4");
        parameters.put("maxInFlight", String.valueOf(MAX_IN_FLIGHT));
        parameters.put("headers", "X-Instance: " + node);
        parameters.put("spread", "true");
        return CrawlYaml.crawl(name, upstream.url("/tree"), parameters).yaml();
    }

    /** Starts a crawl over node-a's API and waits for it to complete: how long it took by its row. */
    private static long crawl(DaemonProcess a, String pipeline) throws Exception {
        long id = new RunsApiClient(a).start("{\"pipeline\": \"" + pipeline + "\"}");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> !"running".equals(
                a.query("select status from runs where id = " + id).get(0).get("status")));
        Map<String, Object> run = a.query("select status, error,"
                + " (extract(epoch from finished_at - started_at) * 1000)::bigint as ms from runs where id = " + id).get(0);
        assertThat(run.get("status")).as("run %d (%s)", id, run.get("error")).isEqualTo("completed");
        return (Long) run.get("ms");
    }

    private static java.nio.file.Path onlyCsv(DaemonProcess daemon, String crawl) throws Exception {
        List<String> files = daemon.files("output/" + crawl).stream().filter(f -> f.endsWith(".csv")).toList();
        assertThat(files).singleElement();
        return daemon.folder().resolve("output").resolve(crawl).resolve(files.get(0));
    }
}
