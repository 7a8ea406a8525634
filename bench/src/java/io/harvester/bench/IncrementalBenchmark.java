package io.harvester.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.harvester.support.ChangeFeed;
import io.harvester.support.ExportYaml;
import io.harvester.support.HarvesterRuntime;

/**
 * An incremental export against the full dump of the same API ({@code bench/run.sh incremental}): a 1,000,000-record
 * {@link ChangeFeed} where 1 % of the records change between runs. Both exports page the same feed (1,000 records a
 * page, 10 in flight) in one daemon; each round changes 10,000 records (one second apart, later than any before) and
 * runs both, alternating which goes first; the incremental run reads those and the record at its watermark again. Printed: each run's time and rows, and full / incremental.
 */
public final class IncrementalBenchmark {

    private static final int RECORDS = 1_000_000;
    private static final int CHANGED = RECORDS / 100;
    private static final int ROUNDS = 4;

    private IncrementalBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int status = 0;
        try {
            run();
        } catch (Throwable e) {
            e.printStackTrace();
            status = 1;
        }
        // the daemon's threads would keep the JVM (and its PostgreSQL folder) alive
        System.exit(status);
    }

    private static void run() throws Exception {
        Path work = Files.createDirectories(Path.of("target", "bench", "incremental"));
        Map<String, String> paging = Map.of("pageSize", "1000", "concurrency", "10", "columns", "id,name,updated_at");
        Map<String, String> incremental = new java.util.HashMap<>(paging);
        incremental.putAll(Map.of("incrementalField", "updated_at", "incrementalParam", "updated_since"));
        Random random = new Random(42);
        try (ChangeFeed feed = ChangeFeed.start(RECORDS);
             HarvesterRuntime harvester = HarvesterRuntime.start(work, ExportYaml.exports()
                     .export("full", feed.url(), paging).export("incremental", feed.url(), incremental).yaml(), Map.of())) {
            // the first incremental run reads everything and keeps the watermark; the full one warms the same paths
            timed(harvester, "incremental");
            timed(harvester, "full");
            List<Long> full = new ArrayList<>();
            List<Long> changed = new ArrayList<>();
            System.out.println("| round | full dump ms | rows | incremental ms | rows | full / incremental |");
            System.out.println("|---|---|---|---|---|---|");
            for (int round = 1; round <= ROUNDS; round++) {
                int[] ids = random.ints(CHANGED * 2L, 1, RECORDS + 1).distinct().limit(CHANGED).toArray();
                feed.touchSpread(ChangeFeed.BASE.plusSeconds(RECORDS + round * 100_000L), ids);
                long[] f;
                long[] i;
                if (round % 2 == 1) {
                    f = timed(harvester, "full");
                    i = timed(harvester, "incremental");
                } else {
                    i = timed(harvester, "incremental");
                    f = timed(harvester, "full");
                }
                // the changed records, and the one at the watermark again (the lower bound is inclusive)
                if (i[1] != CHANGED + 1) {
                    throw new IllegalStateException("the incremental run wrote " + i[1] + " rows, not the " + CHANGED
                            + " changed and the one at the watermark");
                }
                full.add(f[0]);
                changed.add(i[0]);
                System.out.printf("| %d | %d | %d | %d | %d | %.1f |%n", round, f[0], f[1], i[0], i[1], f[0] / (double) i[0]);
            }
            long fullMedian = median(full);
            long incrementalMedian = median(changed);
            System.out.printf("| median | %d | %d | %d | %d | %.1f |%n", fullMedian, RECORDS, incrementalMedian, CHANGED + 1,
                    fullMedian / (double) incrementalMedian);
        }
    }

    /** Runs an export and returns its time in ms and the rows it wrote; a run that did not complete stops the benchmark. */
    private static long[] timed(HarvesterRuntime harvester, String export) {
        long start = System.nanoTime();
        harvester.runNow("export:" + export);
        long took = (System.nanoTime() - start) / 1_000_000;
        Map<String, Object> run = harvester.query("select status, (select rows from run_outputs o where o.run_id = r.id and"
                + " o.\"primary\") as rows from runs r where pipeline = 'export:" + export + "' order by id desc limit 1").get(0);
        if (!"completed".equals(run.get("status"))) {
            throw new IllegalStateException("export " + export + " ended " + run.get("status"));
        }
        return new long[] {took, ((Number) run.get("rows")).longValue()};
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
