package io.harvester.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.harvester.support.CrawlYaml;
import io.harvester.support.DaemonProcess;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.RunsApiClient;

/**
 * Takeover time after {@code kill -9}: two Harvester jars on one database, a crawl started on node-a, node-a
 * killed once 30 % of the lookups arrived; the time from the kill to the first lookup node-b asks, against the
 * configured lease (and heartbeat, the claim's tick). Median of five per lease. The ideal is the lease itself
 * plus up to one heartbeat: the claimer acts on the first tick after the lease ran out.
 */
public final class TakeoverBenchmark {

    private static final int RUNS = 5;

    public static void main(String[] args) throws Exception {
        System.out.println("| lease | heartbeat | kill → first lookup on the survivor, ms (median of " + RUNS + ") | min | max"
                + " | median / (lease + heartbeat) |");
        System.out.println("|---|---|---|---|---|---|");
        for (long[] setting : new long[][] {{3000, 300}, {6000, 500}}) {
            List<Long> takes = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                takes.add(once(setting[0], setting[1]));
            }
            Collections.sort(takes);
            long median = takes.get(RUNS / 2);
            System.out.printf("| %d ms | %d ms | %d | %d | %d | %.2f |%n", setting[0], setting[1], median, takes.get(0),
                    takes.get(RUNS - 1), median / (double) (setting[0] + setting[1]));
        }
    }

    private static long once(long leaseMs, long heartbeatMs) throws Exception {
        String[] cluster = {"-Xmx384m", "-Dharvester.cluster.heartbeat=" + heartbeatMs + "ms",
                "-Dharvester.cluster.lease=" + leaseMs + "ms", "-Dharvester.runs.stale-after-ms=300000"};
        try (FakeUpstream upstream = FakeUpstream.start().tree(5, 4).latencyMs(80);
             DaemonProcess a = daemon("node-a", null, upstream);
             DaemonProcess b = daemon("node-b", a.dbUrl(), upstream)) {
            a.start(cluster);
            b.start(cluster);
            a.awaitHealthy(Duration.ofSeconds(120));
            b.awaitHealthy(Duration.ofSeconds(120));
            while (a.query("select id from instances where heartbeat_at > now() - interval '2 seconds'").size() < 2) {
                Thread.sleep(50);
            }
            new RunsApiClient(a).start("{\"pipeline\": \"crawl:tree\"}");
            while (upstream.lookupCounts().size() < 156 * 3 / 10) {
                Thread.sleep(5);
            }
            a.process().destroyForcibly();
            a.process().waitFor(30, TimeUnit.SECONDS);
            long killed = System.nanoTime();
            long deadline = killed + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                for (long arrived : upstream.lookupTimes()) {
                    if (arrived > killed) {
                        return TimeUnit.NANOSECONDS.toMillis(arrived - killed);
                    }
                }
                Thread.sleep(5);
            }
            throw new IllegalStateException("node-b asked nothing within 60 s of the kill");
        }
    }

    private static DaemonProcess daemon(String instance, String dbUrl, FakeUpstream upstream) {
        DaemonProcess daemon = dbUrl == null ? DaemonProcess.prepare().prod() : DaemonProcess.prepare().prod(dbUrl);
        return daemon.env("HARVESTER_INSTANCE_ID", instance).env("HARVESTER_API_TOKEN", HarvesterRuntime.API_TOKEN)
                .routes("crawls.camel.yaml", CrawlYaml.crawl("tree", upstream.url("/tree"),
                        Map.of("depth", "4", "maxInFlight", "4")).yaml());
    }
}
