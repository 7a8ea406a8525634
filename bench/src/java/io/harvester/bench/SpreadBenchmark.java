package io.harvester.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import io.harvester.support.CrawlYaml;
import io.harvester.support.DaemonProcess;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.RunsApiClient;

/**
 * One crawl spread over three Harvester jars ({@code spread: true}) against the same crawl on one of them, side
 * by side on one database, one Redis and one in-JVM upstream (TCP_NODELAY) whose latency and limits are never the
 * bound: depth 4, branching 8 (585 lookups), 20 ms a lookup, 50 in flight per level and in all. Warm JVMs (one
 * run of each first), then three runs of each, alternating; medians by the runs' own rows.
 */
public final class SpreadBenchmark {

    private static final int RUNS = 3;

    public static void main(String[] args) throws Exception {
        List<DaemonProcess> daemons = new ArrayList<>();
        try (FakeUpstream upstream = FakeUpstream.start().tree(8, 4).latencyMs(20)) {
            String dbUrl = null;
            for (String node : List.of("node-a", "node-b", "node-c")) {
                DaemonProcess daemon = dbUrl == null ? DaemonProcess.prepare().prod() : DaemonProcess.prepare().prod(dbUrl);
                dbUrl = daemon.dbUrl();
                daemons.add(daemon.env("HARVESTER_INSTANCE_ID", node).env("HARVESTER_API_TOKEN", HarvesterRuntime.API_TOKEN)
                        .routes("crawls.camel.yaml", crawl("spread", upstream, true) + crawl("alone", upstream, false)));
            }
            for (DaemonProcess daemon : daemons) {
                daemon.start("-Xmx384m", "-Dharvester.cluster.heartbeat=200ms", "-Dharvester.cluster.lease=2000ms");
            }
            for (DaemonProcess daemon : daemons) {
                daemon.awaitHealthy(Duration.ofSeconds(120));
            }
            DaemonProcess a = daemons.get(0);
            while (a.query("select id from instances where heartbeat_at > now() - interval '1 second'").size() < 3) {
                Thread.sleep(50);
            }
            crawl(a, "crawl:alone");
            crawl(a, "crawl:spread");
            List<Long> alone = new ArrayList<>();
            List<Long> spread = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                alone.add(crawl(a, "crawl:alone"));
                spread.add(crawl(a, "crawl:spread"));
            }
            Collections.sort(alone);
            Collections.sort(spread);
            // L × max over levels l of (l − 1 + ⌈n_l / C⌉): lookups per level 1, 8, 64, 512 at 50 in flight
            long ideal = 0;
            int[] perLevel = {1, 8, 64, 512};
            for (int l = 1; l <= 4; l++) {
                ideal = Math.max(ideal, 20L * (l - 1 + (perLevel[l - 1] + 49) / 50));
            }
            System.out.println("| crawl (585 lookups, 20 ms, 50 in flight) | median ms of " + RUNS + " | min | max"
                    + " | one instance / this | critical path (" + ideal + " ms) / this |");
            System.out.println("|---|---|---|---|---|---|");
            row("one instance", alone, alone.get(RUNS / 2), ideal);
            row("spread over three", spread, alone.get(RUNS / 2), ideal);
        } finally {
            for (DaemonProcess daemon : daemons) {
                daemon.close();
            }
        }
    }

    private static void row(String name, List<Long> took, long alone, long ideal) {
        long median = took.get(RUNS / 2);
        System.out.printf("| %s | %d | %d | %d | %.2f | %.2f |%n", name, median, took.get(0), took.get(RUNS - 1),
                alone / (double) median, ideal / (double) median);
    }

    private static String crawl(String name, FakeUpstream upstream, boolean spread) {
        return CrawlYaml.crawl(name, upstream.url("/tree"), Map.of("depth", "4", "levelConcurrency", "50,50,50,50",
                "maxInFlight", "50", "spread", String.valueOf(spread))).yaml();
    }

    /** Runs a crawl over node-a's API to its end: its duration by its row, in ms. */
    private static long crawl(DaemonProcess a, String pipeline) throws Exception {
        long id = new RunsApiClient(a).start("{\"pipeline\": \"" + pipeline + "\"}");
        while (true) {
            Map<String, Object> run = a.query("select status, error, (extract(epoch from finished_at - started_at) * 1000)::bigint"
                    + " as ms from runs where id = " + id).get(0);
            if (!"running".equals(run.get("status"))) {
                if (!"completed".equals(run.get("status"))) {
                    throw new IllegalStateException(pipeline + " run " + id + " ended " + run.get("status") + ": " + run.get("error"));
                }
                return (Long) run.get("ms");
            }
            Thread.sleep(50);
        }
    }
}
