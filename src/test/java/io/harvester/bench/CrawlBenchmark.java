package io.harvester.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
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
 * concurrency 5,10,15,20. Prints the lower bound L × max(depth, max over levels of ceil(n_l / C_l))
 * next to the measured time, and the peak heap at branching 5 and 8 in one JVM.
 */
public final class CrawlBenchmark {

    private static final int DEPTH = 4;
    private static final int LATENCY = 20;
    private static final int[] LEVEL_CONCURRENCY = {5, 10, 15, 20};
    private static final int REPEATS = 3;

    private CrawlBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createDirectories(Path.of("target", "bench", "crawl"));
        FakeUpstream five = FakeUpstream.start().tree(5, DEPTH).latencyMs(LATENCY);
        FakeUpstream eight = FakeUpstream.start().tree(8, DEPTH).latencyMs(LATENCY);
        String concurrency = "5,10,15,20";
        ExportYaml routes = CrawlYaml.crawl("b5", five.url("/tree"), Map.of("levelConcurrency", concurrency, "maxInFlight", "50"))
                .route("hierarchy-crawl", "crawl-b8", "b8", eight.url("/tree"),
                        Map.of("levelConcurrency", concurrency, "maxInFlight", "50"));
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        try (HarvesterRuntime harvester = HarvesterRuntime.start(work, routes.yaml(), Map.of())) {
            System.out.println("| branching | nodes | lookups | lower bound ms | measured ms (median of " + REPEATS
                    + ") | efficiency | peak heap used |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (int branching : new int[] {5, 8}) {
                String crawl = "crawl:b" + branching;
                harvester.runNow(crawl);
                List<Long> times = new ArrayList<>();
                long peak = 0;
                for (int i = 0; i < REPEATS; i++) {
                    System.gc();
                    heap.forEach(MemoryPoolMXBean::resetPeakUsage);
                    long start = System.nanoTime();
                    harvester.runNow(crawl);
                    times.add((System.nanoTime() - start) / 1_000_000);
                    peak = Math.max(peak, heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum());
                }
                Collections.sort(times);
                long measured = times.get(REPEATS / 2);
                long bound = lowerBound(branching);
                long nodes = 0;
                long lookups = 0;
                for (int level = 1; level <= DEPTH; level++) {
                    nodes += (long) Math.pow(branching, level);
                    lookups += (long) Math.pow(branching, level - 1);
                }
                System.out.printf("| %d | %d | %d | %d | %d | %.2f | %d MiB |%n", branching, nodes, lookups, bound, measured,
                        (double) bound / measured, peak >> 20);
            }
        } finally {
            five.close();
            eight.close();
        }
        System.exit(0);
    }

    /** L × max(depth, max over levels of ceil(n_l / C_l)), n_l = lookups returning level l. */
    static long lowerBound(int branching) {
        long rounds = DEPTH;
        for (int level = 1; level <= DEPTH; level++) {
            long lookups = (long) Math.pow(branching, level - 1);
            rounds = Math.max(rounds, (lookups + LEVEL_CONCURRENCY[level - 1] - 1) / LEVEL_CONCURRENCY[level - 1]);
        }
        return LATENCY * rounds;
    }
}
