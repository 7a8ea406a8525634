package io.harvester.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import io.harvester.support.CrawlYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.ExportYaml;
import io.harvester.support.HarvesterRuntime;

/**
 * Hierarchy crawl benchmark (bench/run.sh crawl; not a test): depth 4, latency 20 ms per lookup, level
 * concurrency 5,10,15,20, maxInFlight 50. Harvester and {@link PlainJavaCrawl} (the hand-written asyncio-style crawler
 * with the same limits) alternate on the same upstream; both are compared with the critical path
 * L × max over levels of (l − 1 + ceil(n_l / C_l)): a lookup of level l cannot start before l − 1
 * answers on its path have come back. Also, in one JVM, the heap at branching 5, 8 and 10: the peak
 * used during the timed runs (garbage included, so it grows with the lookups made) and the live heap,
 * sampled by a full GC every 50 ms during one more run, which is what grows with the tree if
 * anything is held.
 */
public final class CrawlBenchmark {

    private static final int DEPTH = 4;
    private static final int LATENCY = 20;
    private static final int[] LEVEL_CONCURRENCY = {5, 10, 15, 20};
    // the daemon runs warm: enough runs for the JIT to settle before measuring
    private static final int WARM_UPS = 15;
    private static final int REPEATS = 7;
    private static final int MAX_IN_FLIGHT = 50;

    private CrawlBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createDirectories(Path.of("target", "bench", "crawl"));
        // the trees are FakeUpstream's, served by the lighter FastUpstream (answers asked once, then from memory)
        FakeUpstream fiveOrigin = FakeUpstream.start().tree(5, DEPTH);
        FakeUpstream eightOrigin = FakeUpstream.start().tree(8, DEPTH);
        FakeUpstream tenOrigin = FakeUpstream.start().tree(10, DEPTH);
        FastUpstream five = new FastUpstream(fiveOrigin.url(""), LATENCY);
        FastUpstream eight = new FastUpstream(eightOrigin.url(""), LATENCY);
        FastUpstream ten = new FastUpstream(tenOrigin.url(""), LATENCY);
        String concurrency = "5,10,15,20";
        ExportYaml routes = CrawlYaml.crawl("b5", five.url("/tree"), Map.of("levelConcurrency", concurrency, "maxInFlight", "50"))
                .route("hierarchy-crawl", "crawl-b8", "b8", eight.url("/tree"),
                        Map.of("levelConcurrency", concurrency, "maxInFlight", "50"))
                .route("hierarchy-crawl", "crawl-b10", "b10", ten.url("/tree"),
                        Map.of("levelConcurrency", concurrency, "maxInFlight", "50"));
        try (HarvesterRuntime harvester = HarvesterRuntime.start(work, routes.yaml(), Map.of())) {
            double roundTrip = roundTripMillis(five.url("/tree"));
            System.out.printf("One round trip to the upstream (%d ms latency), a lone client on a keep-alive connection: %.2f ms%n%n",
                    LATENCY, roundTrip);
            System.out.println("| branching | nodes | lookups | critical path ms | plain-Java crawler ms (median of " + REPEATS
                    + ") | Harvester ms (median of " + REPEATS + ") | plain crawler vs critical path | Harvester vs critical path"
                    + " | Harvester speed / plain crawler | peak heap used | peak live heap |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
            for (int branching : new int[] {5, 8, 10}) {
                String crawl = "crawl:b" + branching;
                String url = (branching == 5 ? five : branching == 8 ? eight : ten).url("/tree");
                Path plainCsv = work.resolve("plain-b" + branching + ".csv");
                for (int i = 0; i < WARM_UPS; i++) {
                    harvester.runNow(crawl);
                    PlainJavaCrawl.crawl(url, DEPTH, LEVEL_CONCURRENCY, MAX_IN_FLIGHT, plainCsv);
                }
                List<Long> times = new ArrayList<>();
                List<Long> plainTimes = new ArrayList<>();
                long peak = 0;
                for (int i = 0; i < REPEATS; i++) {
                    // alternating, so that a noisy moment of the shared machine hits both
                    long plainStart = System.nanoTime();
                    PlainJavaCrawl.crawl(url, DEPTH, LEVEL_CONCURRENCY, MAX_IN_FLIGHT, plainCsv);
                    plainTimes.add((System.nanoTime() - plainStart) / 1_000_000);
                    HeapUse.resetPeak();
                    long start = System.nanoTime();
                    harvester.runNow(crawl);
                    times.add((System.nanoTime() - start) / 1_000_000);
                    peak = Math.max(peak, HeapUse.peakSinceReset());
                }
                long live = HeapUse.livePeak(() -> harvester.runNow(crawl));
                Collections.sort(times);
                Collections.sort(plainTimes);
                long measured = times.get(REPEATS / 2);
                long plain = plainTimes.get(REPEATS / 2);
                long criticalPath = criticalPath(branching);
                long nodes = 0;
                long lookups = 0;
                for (int level = 1; level <= DEPTH; level++) {
                    nodes += (long) Math.pow(branching, level);
                    lookups += (long) Math.pow(branching, level - 1);
                }
                System.out.printf("| %d | %d | %d | %d | %d | %d | %.2f | %.2f | %.2f | %d MiB | %.1f MiB |%n", branching, nodes, lookups,
                        criticalPath, plain, measured, (double) criticalPath / plain, (double) criticalPath / measured,
                        (double) plain / measured, peak >> 20, live / 1048576.0);
            }
            long idle = HeapUse.idleLive();
            System.out.println();
            System.out.println("| same JVM, no crawl running (daemon + the three simulated trees) | live heap |");
            System.out.println("|---|---|");
            System.out.printf("| idle | %.1f MiB |%n", idle / 1048576.0);
        } finally {
            for (AutoCloseable upstream : List.<AutoCloseable>of(five, eight, ten, fiveOrigin, eightOrigin, tenOrigin)) {
                upstream.close();
            }
        }
        System.exit(0);
    }

    /** The median of 50 sequential lookups of one node on a keep-alive connection: what one round trip costs here. */
    private static double roundTripMillis(String url) throws Exception {
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            long start = System.nanoTime();
            java.net.HttpURLConnection connection = (java.net.HttpURLConnection) java.net.URI.create(url + "?id=1").toURL().openConnection();
            try (java.io.InputStream in = connection.getInputStream()) {
                in.readAllBytes();
            }
            if (i >= 10) {
                times.add((System.nanoTime() - start) / 1e6);
            }
        }
        Collections.sort(times);
        return times.get(times.size() / 2);
    }

    /** L × max over levels of (l − 1 + ceil(n_l / C_l)): level l's lookups start l − 1 round trips in at the earliest. */
    static long criticalPath(int branching) {
        long rounds = 0;
        for (int level = 1; level <= DEPTH; level++) {
            rounds = Math.max(rounds, level - 1 + roundsOf(branching, level));
        }
        return LATENCY * rounds;
    }

    private static long roundsOf(int branching, int level) {
        long lookups = (long) Math.pow(branching, level - 1);
        return (lookups + LEVEL_CONCURRENCY[level - 1] - 1) / LEVEL_CONCURRENCY[level - 1];
    }
}
