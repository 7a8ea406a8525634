package io.harvester.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import io.harvester.support.CrawlYaml;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterRuntime;

/**
 * Hierarchy crawl benchmark (bench/run.sh crawl; not a test): depth 4, latency 20 ms per lookup, level
 * concurrency 5,10,15,20. Prints two lower bounds next to the measured time: the issue's
 * L × max(depth, max over levels of ceil(n_l / C_l)), and the critical path
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
    private static final int REPEATS = 5;

    private CrawlBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createDirectories(Path.of("target", "bench", "crawl"));
        FakeUpstream five = FakeUpstream.start().tree(5, DEPTH).latencyMs(LATENCY);
        FakeUpstream eight = FakeUpstream.start().tree(8, DEPTH).latencyMs(LATENCY);
        FakeUpstream ten = FakeUpstream.start().tree(10, DEPTH).latencyMs(LATENCY);
        String concurrency = "5,10,15,20";
        ExportYaml routes = CrawlYaml.crawl("b5", five.url("/tree"), Map.of("levelConcurrency", concurrency, "maxInFlight", "50"))
                .route("hierarchy-crawl", "crawl-b8", "b8", eight.url("/tree"),
                        Map.of("levelConcurrency", concurrency, "maxInFlight", "50"))
                .route("hierarchy-crawl", "crawl-b10", "b10", ten.url("/tree"),
                        Map.of("levelConcurrency", concurrency, "maxInFlight", "50"));
        try (HarvesterRuntime harvester = HarvesterRuntime.start(work, routes.yaml(), Map.of())) {
            System.out.println("| branching | nodes | lookups | issue bound ms | critical path ms | measured ms (median of "
                    + REPEATS + ") | efficiency vs issue bound | efficiency vs critical path | peak heap used | peak live heap |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|");
            for (int branching : new int[] {5, 8, 10}) {
                String crawl = "crawl:b" + branching;
                for (int i = 0; i < WARM_UPS; i++) {
                    harvester.runNow(crawl);
                }
                List<Long> times = new ArrayList<>();
                long peak = 0;
                for (int i = 0; i < REPEATS; i++) {
                    HeapUse.resetPeak();
                    long start = System.nanoTime();
                    harvester.runNow(crawl);
                    times.add((System.nanoTime() - start) / 1_000_000);
                    peak = Math.max(peak, HeapUse.peakSinceReset());
                }
                long live = HeapUse.livePeak(() -> harvester.runNow(crawl));
                Collections.sort(times);
                long measured = times.get(REPEATS / 2);
                long bound = issueBound(branching);
                long criticalPath = criticalPath(branching);
                long nodes = 0;
                long lookups = 0;
                for (int level = 1; level <= DEPTH; level++) {
                    nodes += (long) Math.pow(branching, level);
                    lookups += (long) Math.pow(branching, level - 1);
                }
                System.out.printf("| %d | %d | %d | %d | %d | %d | %.2f | %.2f | %d MiB | %.1f MiB |%n", branching, nodes, lookups,
                        bound, criticalPath, measured, (double) bound / measured, (double) criticalPath / measured, peak >> 20,
                        live / 1048576.0);
            }
            long idle = HeapUse.idleLive();
            System.out.println();
            System.out.println("| same JVM, no crawl running (daemon + the three simulated trees) | live heap |");
            System.out.println("|---|---|");
            System.out.printf("| idle | %.1f MiB |%n", idle / 1048576.0);
        } finally {
            five.close();
            eight.close();
            ten.close();
        }
        System.exit(0);
    }

    /** L × max(depth, max over levels of ceil(n_l / C_l)), n_l = lookups returning level l. */
    static long issueBound(int branching) {
        long rounds = DEPTH;
        for (int level = 1; level <= DEPTH; level++) {
            rounds = Math.max(rounds, roundsOf(branching, level));
        }
        return LATENCY * rounds;
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
