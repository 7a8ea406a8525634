package io.harvester.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterRuntime;

/**
 * Benchmarks of the paged export (bench/run.sh runs them; not a test). Every figure is measured in
 * this run, side by side with what it is compared to.
 * <ul>
 * <li>{@code efficiency}: pages P, latency L, concurrency C: ideal L × (1 + ceil((P−1)/C)) vs measured</li>
 * <li>{@code throughput}: records/s at zero latency, Harvester vs {@link PlainJavaExport}, alternating</li>
 * <li>{@code memory}: peak heap of 100,000 and 1,000,000 records in one JVM (run it under -Xmx256m)</li>
 * <li>{@code metrics}: records/s of the same export with metrics on and off (two daemons), alternating</li>
 * </ul>
 */
public final class ExportBenchmark {

    private static final int REPEATS = 5;

    private ExportBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "efficiency";
        Path work = Files.createDirectories(Path.of("target", "bench", mode));
        switch (mode) {
            case "efficiency" -> efficiency(work);
            case "throughput" -> throughput(work);
            case "memory" -> memory(work);
            case "metrics" -> metrics(work, args.length > 1 ? Long.parseLong(args[1]) : 200_000);
            default -> throw new IllegalArgumentException("mode: efficiency | throughput | memory | metrics");
        }
        System.exit(0);
    }

    private static void efficiency(Path work) throws Exception {
        int[][] cases = {{100, 10, 50}, {100, 5, 50}, {30, 10, 50}, {100, 10, 20}, {1, 10, 50}};
        List<AutoCloseable> upstreams = new ArrayList<>();
        ExportYaml yaml = ExportYaml.exports();
        for (int[] c : cases) {
            String name = "p" + c[0] + "c" + c[1] + "l" + c[2];
            // FakeUpstream's pages, served by the lighter FastUpstream with the latency (each asked once, then from memory)
            FakeUpstream origin = FakeUpstream.start().total(c[0] * 100L);
            FastUpstream upstream = new FastUpstream(origin.url(""), c[2]);
            upstreams.add(upstream);
            upstreams.add(origin);
            yaml.export(name, upstream.url("/orders"), Map.of("pageSize", "100", "concurrency", String.valueOf(c[1])));
        }
        try (HarvesterRuntime harvester = HarvesterRuntime.start(work, yaml.yaml(), Map.of())) {
            System.out.println("| pages P | latency L | concurrency C | ideal ms | measured ms (median of " + REPEATS
                    + ") | efficiency |");
            System.out.println("|---|---|---|---|---|---|");
            for (int[] c : cases) {
                String name = "p" + c[0] + "c" + c[1] + "l" + c[2];
                long ideal = (long) c[2] * (1 + (c[0] - 1 + c[1] - 1) / c[1]);
                harvester.runNow("export:" + name);
                List<Long> times = new ArrayList<>();
                for (int i = 0; i < REPEATS; i++) {
                    long start = System.nanoTime();
                    harvester.runNow("export:" + name);
                    times.add((System.nanoTime() - start) / 1_000_000);
                }
                long measured = median(times);
                System.out.printf("| %d | %d ms | %d | %d | %d | %.2f |%n", c[0], c[2], c[1], ideal, measured,
                        (double) ideal / measured);
            }
        } finally {
            for (AutoCloseable upstream : upstreams) {
                upstream.close();
            }
        }
    }

    private static void throughput(Path work) throws Exception {
        long total = 200_000;
        int pageSize = 1000;
        int concurrency = 10;
        // FakeUpstream's pages served by the lighter FastUpstream, the same for both exporters
        try (FakeUpstream origin = FakeUpstream.start().total(total);
             FastUpstream upstream = new FastUpstream(origin.url(""), 0);
             HarvesterRuntime harvester = HarvesterRuntime.start(work, ExportYaml.exports()
                     .export("speed", upstream.url("/orders"), Map.of("pageSize", String.valueOf(pageSize),
                             "concurrency", String.valueOf(concurrency))).yaml(), Map.of())) {
            harvester.runNow("export:speed");
            PlainJavaExport.export(upstream.url("/orders"), pageSize, concurrency, work.resolve("warmup.csv"));
            List<Long> ours = new ArrayList<>();
            List<Long> plain = new ArrayList<>();
            for (int i = 0; i < REPEATS; i++) {
                // which goes first alternates, so that neither always runs on a warmer (or busier) machine
                if (i % 2 == 0) {
                    ours.add(timedHarvester(harvester));
                    plain.add(timedPlain(upstream, pageSize, concurrency, total, work));
                } else {
                    plain.add(timedPlain(upstream, pageSize, concurrency, total, work));
                    ours.add(timedHarvester(harvester));
                }
            }
            printRates("export of " + total + " records, " + pageSize + "/page, C=" + concurrency
                            + ", zero latency | records/s (median of " + REPEATS + ")",
                    "Harvester (breaker, retries, run tracking, ordered CSV)", total / (median(ours) / 1e9),
                    "plain Java (HttpClient + Jackson streaming + BufferedWriter)", total / (median(plain) / 1e9),
                    "Harvester / plain");
        }
    }

    private static long timedHarvester(HarvesterRuntime harvester) {
        long start = System.nanoTime();
        harvester.runNow("export:speed");
        return System.nanoTime() - start;
    }

    private static long timedPlain(FastUpstream upstream, int pageSize, int concurrency, long total, Path work) throws Exception {
        long start = System.nanoTime();
        long written = PlainJavaExport.export(upstream.url("/orders"), pageSize, concurrency, work.resolve("plain.csv"));
        long took = System.nanoTime() - start;
        if (written != total) {
            throw new IllegalStateException("baseline wrote " + written + " records");
        }
        return took;
    }

    /**
     * The cost of metrics: one daemon with them on (Camel's route and exchange meters, Harvester's),
     * one with them off, in the same JVM on the same upstream; their runs alternate, so both see the
     * same machine load.
     */
    private static void metrics(Path work, long total) throws Exception {
        int pageSize = 1000;
        int concurrency = 10;
        int repeats = 7;
        Map<String, String> export = Map.of("pageSize", String.valueOf(pageSize), "concurrency", String.valueOf(concurrency));
        try (FakeUpstream upstream = FakeUpstream.start().total(total).cacheAnswers(true);
             HarvesterRuntime on = HarvesterRuntime.start(work.resolve("on"), ExportYaml.exports()
                     .export("metered", upstream.url("/orders"), export).yaml(), Map.of());
             HarvesterRuntime off = HarvesterRuntime.start(work.resolve("off"), ExportYaml.exports()
                     .export("unmetered", upstream.url("/orders"), export).yaml(),
                     Map.of("camel.metrics.enabled", "false", "camel.management.metrics-enabled", "false",
                             "camel.main.name", "harvester-unmetered"))) {
            on.runNow("export:metered");
            off.runNow("export:unmetered");
            List<Long> metered = new ArrayList<>();
            List<Long> unmetered = new ArrayList<>();
            for (int i = 0; i < repeats; i++) {
                // the order within each pair alternates too: neither side always runs on a warmer machine
                boolean onFirst = i % 2 == 0;
                timed(onFirst ? on : off, onFirst ? "export:metered" : "export:unmetered", onFirst ? metered : unmetered);
                timed(onFirst ? off : on, onFirst ? "export:unmetered" : "export:metered", onFirst ? unmetered : metered);
            }
            requireCompleted(on, "export:metered", repeats + 1);
            requireCompleted(off, "export:unmetered", repeats + 1);
            printRates("export of " + total + " records, " + pageSize + "/page, C=" + concurrency
                            + ", zero latency | records/s (median of " + repeats + ", alternating)",
                    "metrics on (camel.metrics.enabled, Harvester's meters)", total / (median(metered) / 1e9),
                    "metrics off", total / (median(unmetered) / 1e9), "on / off");
        }
    }

    /** A two-row table of rates measured side by side, and their ratio. */
    private static void printRates(String heading, String first, double firstRate, String second, double secondRate,
                                   String ratio) {
        System.out.println("| " + heading + " |");
        System.out.println("|---|---|");
        System.out.printf("| %s | %.0f |%n", first, firstRate);
        System.out.printf("| %s | %.0f |%n", second, secondRate);
        System.out.printf("| ratio %s | %.2f |%n", ratio, firstRate / secondRate);
    }

    private static void timed(HarvesterRuntime harvester, String pipeline, List<Long> times) {
        long start = System.nanoTime();
        harvester.runNow(pipeline);
        times.add(System.nanoTime() - start);
    }

    private static void requireCompleted(HarvesterRuntime harvester, String pipeline, long expected) {
        long completed = (long) harvester.query("select count(*) as n from runs where pipeline = '" + pipeline
                + "' and status = 'completed'").get(0).get("n");
        if (completed != expected) {
            throw new IllegalStateException(pipeline + ": " + completed + " runs completed, not " + expected);
        }
    }

    private static void memory(Path work) throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start();
             HarvesterRuntime harvester = HarvesterRuntime.start(work, ExportYaml.exports()
                     .export("bulk", upstream.url("/orders"), Map.of("pageSize", "1000", "concurrency", "10")).yaml(),
                     Map.of())) {
            System.out.println("| records | max heap (-Xmx) | peak heap used (sum of pool peaks) | time | status | rows in CSV | CSV bytes |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (long total : new long[] {100_000, 1_000_000}) {
                upstream.total(total);
                HeapUse.resetPeak();
                long start = System.nanoTime();
                harvester.runNow("export:bulk");
                long ms = (System.nanoTime() - start) / 1_000_000;
                long peak = HeapUse.peakSinceReset();
                Map<String, Object> run = harvester.query("select r.status, o.rows, o.bytes from runs r "
                        + "join run_outputs o on o.run_id = r.id where r.pipeline = 'export:bulk' order by r.id desc limit 1")
                        .get(0);
                System.out.printf("| %d | %d MiB | %d MiB | %.1f s | %s | %s | %s |%n", total,
                        Runtime.getRuntime().maxMemory() >> 20, peak >> 20, ms / 1000.0, run.get("status"),
                        run.get("rows"), run.get("bytes"));
            }
        }
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
