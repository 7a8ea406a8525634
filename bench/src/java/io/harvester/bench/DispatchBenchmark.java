package io.harvester.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.harvester.dispatch.TaskGeneration;
import io.harvester.dispatch.TaskPlan;
import io.harvester.dispatch.TaskSetWriter;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.TestStorage;
import org.redisson.api.RedissonClient;

/**
 * Task dispatch benchmarks (bench/run.sh dispatch; not a test), on the daemon's embedded Redis and
 * PostgreSQL:
 * <ul>
 * <li>task elements written into Redis per second by the generation's write path ({@link TaskSetWriter}:
 * JSON, then {@code SADD} pipelined in rounds of {@code harvester.dispatch.chunk-size} members) against
 * {@code redis-benchmark -P 16 -t sadd} on the same server, alternating;</li>
 * <li>the generation run ({@code dispatch:generate}) of 100,000 keyword rows, and of 23,000 hourly rows that
 * make as many elements: wall time and heap.</li>
 * </ul>
 */
public final class DispatchBenchmark {

    private static final int REPEATS = 3;
    /** 100,000 daily rows make one set of 100,000 elements; 5,000 hourly rows 20 slot sets of 5,000 each. */
    private static final int DAILY_ROWS = 100_000;
    private static final int HOURLY_ROWS = 5_000;
    /** The mixed seed makes 460,000 elements; so do 23,000 hourly rows of 20 slots each. */
    private static final int KEYWORD_ROWS = 100_000;
    private static final int HOURLY_KEYWORD_ROWS = 23_000;
    private static final Pattern REQUESTS_PER_SECOND = Pattern.compile("SADD: ([0-9.]+) requests per second");

    private DispatchBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createDirectories(Path.of("target", "bench", "dispatch"));
        try (HarvesterRuntime harvester = HarvesterRuntime.start(work, "[]", Map.of())) {
            writeRate(harvester);
            System.out.println();
            generations(harvester);
        }
        System.exit(0);
    }

    private static void writeRate(HarvesterRuntime harvester) throws Exception {
        RedissonClient redis = redis(harvester);
        int chunkSize = Integer.parseInt(harvester.context().resolvePropertyPlaceholders("{{harvester.dispatch.chunk-size}}"));
        TaskSetWriter writer = new TaskSetWriter(redis, chunkSize);
        List<TaskPlan.Keyword> rows = new ArrayList<>();
        for (int i = 0; i < DAILY_ROWS + HOURLY_ROWS; i++) {
            rows.add(new TaskPlan.Keyword(i, "keyword-" + i, i % 2 == 0 ? "US" : "DE", TaskPlan.PRODUCT_DETAILS,
                    i < DAILY_ROWS ? 0 : 1, "20260321"));
        }
        List<Double> ours = new ArrayList<>();
        List<Double> theirs = new ArrayList<>();
        List<TaskPlan.TaskSet> sets = List.of();
        long elements = 0;
        for (int round = 0; round <= REPEATS; round++) {
            // each round a day of its own: new set names, so every SADD adds its members
            Instant day = Instant.parse("2030-01-01T05:00:00Z").plus(Duration.ofDays(round));
            sets = TaskPlan.plan(rows, Map.of(), day, ZoneOffset.UTC, 4).sets();
            elements = sets.stream().mapToLong(s -> s.elements().size()).sum();
            double benchmark = redisBenchmark();
            long start = System.nanoTime();
            writer.write(sets);
            double seconds = (System.nanoTime() - start) / 1e9;
            long stored = sets.stream().mapToLong(s -> redis.getSet(s.name()).size()).sum();
            if (stored != elements) {
                throw new IllegalStateException(elements + " elements written, " + stored + " in Redis");
            }
            redis.getKeys().delete(sets.stream().map(TaskPlan.TaskSet::name).toArray(String[]::new));
            if (round > 0) {
                theirs.add(benchmark);
                ours.add(elements / seconds);
            }
        }
        System.out.println("| into Redis (same server, alternating, " + REPEATS + " rounds after a warm-up) | elements/s median"
                + " | min | max |");
        System.out.println("|---|---|---|---|");
        System.out.printf("| redis-benchmark -P 16 -t sadd -n 1000000 (50 clients, one member per SADD) | %s |%n", spread(theirs));
        System.out.printf("| Harvester TaskSetWriter: %d elements in %d sets, JSON + SADD, %d members a pipelined round | %s |%n",
                elements, sets.size(), chunkSize, spread(ours));
        System.out.printf("| ratio Harvester / redis-benchmark (aim ≥ 0.5) | %.2f | | |%n", median(ours) / median(theirs));
    }

    /** Requests per second of one {@code redis-benchmark -P 16 -t sadd} against the daemon's Redis. */
    private static double redisBenchmark() throws IOException, InterruptedException {
        URI redis = URI.create(TestStorage.get().redisUrl());
        Process process = new ProcessBuilder("redis-benchmark", "-h", redis.getHost(), "-p", String.valueOf(redis.getPort()),
                "-P", "16", "-t", "sadd", "-n", "1000000", "-q").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("redis-benchmark failed: " + output);
        }
        Matcher rate = REQUESTS_PER_SECOND.matcher(output);
        if (!rate.find()) {
            throw new IllegalStateException("no rate in redis-benchmark's output: " + output);
        }
        return Double.parseDouble(rate.group(1));
    }

    /**
     * Two seeds of about the same number of elements: 100,000 rows of mixed crawl objects and frequencies,
     * and 23,000 hourly rows (20 slots each). Like heap, like elements: the generation holds its plan.
     */
    private static void generations(HarvesterRuntime harvester) throws Exception {
        System.out.println("| keyword rows | sets | elements | wall time s (median of " + REPEATS + ", min-max) | peak heap used"
                + " (sum of pool peaks, max of " + REPEATS + ") | peak live heap (full GC every 50 ms, one more run) |"
                + " idle live heap | max heap (-Xmx) |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        // every third row a category of its own; frequencies 0 (half of the rows), 1, 2, 4, 6 and 12
        generation(harvester, KEYWORD_ROWS + " mixed", """
                insert into category_list_info
                select 'cat-' || i, 'Category ' || i, 'US', 'bestsellers', 'https://example.com/c/' || i
                from generate_series(3, %1$d, 3) i;
                insert into task_for_keyword (keyword, market_place_code, crawl_object, frequent, ds, enabled)
                select case when i %% 3 = 0 then 'cat-' || i else 'keyword-' || i end,
                       case when i %% 3 = 0 then 'US' else (array['US', 'DE', 'UK', 'JP'])[i %% 4 + 1] end,
                       case when i %% 3 = 0 then 'category' else 'product_details' end,
                       (array[0, 0, 0, 0, 0, 1, 2, 4, 6, 12])[i %% 10 + 1], '20260321', true
                from generate_series(1, %1$d) i""".formatted(KEYWORD_ROWS));
        generation(harvester, HOURLY_KEYWORD_ROWS + " hourly", """
                insert into task_for_keyword (keyword, market_place_code, crawl_object, frequent, ds, enabled)
                select 'keyword-' || i, 'US', 'product_details', 1, '20260321', true
                from generate_series(1, %d) i""".formatted(HOURLY_KEYWORD_ROWS));
    }

    private static void generation(HarvesterRuntime harvester, String rows, String seed) throws Exception {
        harvester.execute("truncate task_for_keyword restart identity; truncate category_list_info; truncate runs cascade; " + seed);
        List<Double> seconds = new ArrayList<>();
        long peak = 0;
        for (int round = 0; round <= REPEATS; round++) {
            forgetGeneration(harvester);
            HeapUse.resetPeak();
            long start = System.nanoTime();
            harvester.runNow(TaskGeneration.PIPELINE);
            double elapsed = (System.nanoTime() - start) / 1e9;
            if (round > 0) {
                seconds.add(elapsed);
                peak = Math.max(peak, HeapUse.peakSinceReset());
            }
        }
        forgetGeneration(harvester);
        long live = HeapUse.livePeak(() -> harvester.runNow(TaskGeneration.PIPELINE));
        long idle = HeapUse.idleLive();
        Map<String, Object> last = harvester.query("""
                select count(*) filter (where status = 'completed') as completed, count(*) as runs,
                       (select sum(records) from run_steps where run_id = max(r.id)) as elements,
                       (select sum((result ->> 'sets')::int) from run_steps where run_id = max(r.id)) as sets
                from runs r where pipeline = 'dispatch:generate'""").get(0);
        if (!last.get("completed").equals(last.get("runs"))) {
            throw new IllegalStateException("not every generation completed: " + last);
        }
        System.out.printf("| %s | %s | %s | %.2f (%.2f-%.2f) | %d MiB | %.0f MiB | %.0f MiB | %d MiB |%n", rows,
                last.get("sets"), last.get("elements"), median(seconds), Collections.min(seconds), Collections.max(seconds),
                peak >> 20, live / 1048576.0, idle / 1048576.0, Runtime.getRuntime().maxMemory() >> 20);
    }

    /** Removes a generation's rows and sets, so that the next one writes everything again. */
    private static void forgetGeneration(HarvesterRuntime harvester) {
        harvester.execute("truncate task_information");
        redis(harvester).getKeys().deleteByPattern(TaskPlan.PRODUCT_DETAILS + "_*");
        redis(harvester).getKeys().deleteByPattern(TaskPlan.CATEGORY + "_*");
    }

    private static RedissonClient redis(HarvesterRuntime harvester) {
        return harvester.context().getRegistry().lookupByNameAndType("redisson", RedissonClient.class);
    }

    private static String spread(List<Double> values) {
        return String.format("%.0f | %.0f | %.0f", median(values), Collections.min(values), Collections.max(values));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
