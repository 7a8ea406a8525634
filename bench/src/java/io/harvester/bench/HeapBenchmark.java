package io.harvester.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.harvester.support.DaemonProcess;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.RunsApiClient;

/**
 * A big export in a small heap (bench/run.sh heap; not a test): the jar started as a user does, under
 * {@code -Xmx64m} and under {@code -Xmx256m}, with the JVM's own collector and with the parallel one (each twice,
 * the order turned around), exports 10,000,000 records (1000 a page,
 * 10 in flight) from the upstream in this JVM; the time is the run's own (started to ended in its row). Then the
 * idle daemon's live heap, before and after its export: {@code jcmd GC.class_histogram} collects in full first and lists what survives, which
 * the table sums and whose largest classes it names.
 */
public final class HeapBenchmark {

    private static final long RECORDS = Long.getLong("records", 10_000_000);

    private HeapBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path archive = Path.of(System.getProperty("harvester.jar")).resolveSibling("harvester.jsa");
        // the JVM's own collector (G1 here) and the one the README's start command names
        String[] collectors = {"G1 (the JVM's default)", "-XX:+UseParallelGC"};
        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        for (String collector : collectors) {
            for (String heap : new String[] {"-Xmx64m", "-Xmx256m"}) {
                seconds.put(collector + " " + heap, new ArrayList<>());
            }
        }
        String idleBefore = null;
        String idleAfter = null;
        try (FakeUpstream upstream = FakeUpstream.start().total(RECORDS)) {
            String routes = ExportYaml.exports().export("bulk", upstream.url("/orders"),
                    Map.of("pageSize", "1000", "concurrency", "10")).yaml();
            for (String[] run : runs(collectors)) {
                String collector = run[0];
                String heap = run[1];
                try (DaemonProcess daemon = DaemonProcess.prepare().prod().env("HARVESTER_API_TOKEN", HarvesterRuntime.API_TOKEN)
                        .routes("bulk.camel.yaml", routes)) {
                    List<String> options = new ArrayList<>(List.of(heap, "-XX:SharedArchiveFile=" + archive,
                            "-Dharvester.demo.run-at-startup=false"));
                    if (collector.startsWith("-XX")) {
                        options.add(collector);
                    }
                    // e.g. -Ddaemon.options=-Xlog:gc:file=gc.log to see the collector's work
                    String extra = System.getProperty("daemon.options", "");
                    if (!extra.isBlank()) {
                        options.addAll(List.of(extra.split(" ")));
                    }
                    daemon.startAsUser(options.toArray(String[]::new))
                            .awaitHealthy(Duration.ofSeconds(120));
                    boolean first = idleBefore == null && heap.equals("-Xmx64m");
                    if (first) {
                        Thread.sleep(2000);
                        idleBefore = histogram(daemon.process().pid());
                    }
                    seconds.get(collector + " " + heap).add(export(daemon));
                    if (first) {
                        Thread.sleep(2000);
                        idleAfter = histogram(daemon.process().pid());
                    }
                }
            }
        }
        System.out.println("| export of " + RECORDS + " records, 1000/page, C=10 | collector | heap | run seconds | mean | ratio to -Xmx256m, same collector |");
        System.out.println("|---|---|---|---|---|---|");
        for (String collector : collectors) {
            double big = mean(seconds.get(collector + " -Xmx256m"));
            for (String heap : new String[] {"-Xmx64m", "-Xmx256m"}) {
                List<Double> took = seconds.get(collector + " " + heap);
                System.out.printf("| | %s | %s | %s | %.1f | %.2f |%n", collector, heap, took, mean(took), mean(took) / big);
            }
        }
        System.out.println();
        printHistogram("idle daemon under -Xmx64m, started, before any run", idleBefore, 0);
        System.out.println();
        printHistogram("the same daemon idle again after its export", idleAfter, 12);
    }

    /** Starts the export over the API and waits for its end; the run's own duration in seconds. */
    private static double export(DaemonProcess daemon) throws Exception {
        new RunsApiClient(daemon).start("{\"pipeline\": \"export:bulk\"}");
        while (true) {
            List<Map<String, Object>> rows = daemon.query("select r.status, extract(epoch from r.finished_at - r.started_at) as took,"
                    + " (select max(o.rows) from run_outputs o where o.run_id = r.id) as rows from runs r where r.pipeline = 'export:bulk'");
            if (!rows.isEmpty() && !"running".equals(rows.get(0).get("status"))) {
                Map<String, Object> run = rows.get(0);
                if (!"completed".equals(run.get("status")) || ((Number) run.get("rows")).longValue() != RECORDS) {
                    throw new IllegalStateException("the export ended " + run + "; its log: " + daemon.log());
                }
                return ((Number) run.get("took")).doubleValue();
            }
            Thread.sleep(200);
        }
    }

    /** Every collector and heap, {@code heap.rounds} times (2), the order turned around each round. */
    private static List<String[]> runs(String[] collectors) {
        List<String[]> round = new ArrayList<>();
        for (String collector : collectors) {
            for (String heap : new String[] {"-Xmx64m", "-Xmx256m"}) {
                round.add(new String[] {collector, heap});
            }
        }
        List<String[]> runs = new ArrayList<>();
        for (int i = 0; i < Integer.getInteger("heap.rounds", 2); i++) {
            runs.addAll(round);
            java.util.Collections.reverse(round);
        }
        return runs;
    }

    private static String histogram(long pid) throws Exception {
        Process jcmd = new ProcessBuilder("jcmd", String.valueOf(pid), "GC.class_histogram").redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes());
        jcmd.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    /** The histogram's total and its ten largest classes, as a table. */
    private static void printHistogram(String title, String histogram, int largest) {
        List<String[]> rows = new ArrayList<>();
        String total = "?";
        for (String line : histogram.split("\n")) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length >= 4 && cols[0].endsWith(":")) {
                rows.add(cols);
            } else if (cols.length == 3 && cols[0].equals("Total")) {
                total = cols[2];
            }
        }
        System.out.printf("| %s, after a full GC (jcmd GC.class_histogram) | live bytes | MiB |%n", title);
        System.out.println("|---|---|---|");
        System.out.printf("| all | %s | %.1f |%n", total, Long.parseLong(total) / 1048576.0);
        for (String[] row : rows.subList(0, Math.min(largest, rows.size()))) {
            System.out.printf("| %s (%s instances) | %s | %.1f |%n", row[3], row[1], row[2], Long.parseLong(row[2]) / 1048576.0);
        }
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
