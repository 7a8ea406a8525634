package io.harvester.bench;

import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.harvester.support.HarvesterRuntime;

/**
 * The runs API under load (bench/run.sh runs; not a test): latency of {@code GET /api/runs?limit=100}
 * (plain and filtered) and {@code GET /api/runs/{id}} with 100,000 runs in the table (two steps and a log
 * row each), one client, requests one after the other; and the download of a 1 GB CSV through
 * {@code GET /api/runs/{id}/files/{fileId}} by {@code curl -o /dev/null} (HTTP/1.1) against
 * {@code cat} of the same file into /dev/null, both from the page cache after a warm-up.
 */
public final class RunsApiBenchmark {

    private static final int RUNS = 100_000;
    private static final int REQUESTS = 1000;
    private static final int WARM_UP = 200;
    private static final long CSV_BYTES = 1L << 30;
    private static final int DOWNLOAD_ROUNDS = 3;

    private RunsApiBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createDirectories(Path.of("target", "bench", "runs"));
        try (HarvesterRuntime harvester = HarvesterRuntime.start(work, "[]", Map.of())) {
            fill(harvester);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            System.out.println("| request (100,000 runs) | p50 ms | p99 ms | plan |");
            System.out.println("|---|---|---|---|");
            Random random = new Random(7);
            latency(harvester, http, "GET /api/runs?limit=100", i -> "/api/runs?limit=100",
                    "select id from runs order by id desc limit 100");
            latency(harvester, http, "GET /api/runs?limit=100&pipeline=export:p7", i -> "/api/runs?limit=100&pipeline=export:p7",
                    "select id from runs where pipeline = 'export:p7' order by id desc limit 100");
            latency(harvester, http, "GET /api/runs?limit=100&status=failed", i -> "/api/runs?limit=100&status=failed",
                    "select id from runs where status = 'failed' order by id desc limit 100");
            latency(harvester, http, "GET /api/runs/{id} (random id)", i -> "/api/runs/" + (1 + random.nextInt(RUNS)),
                    "select id from runs where id = 4242");
            download(harvester, http, work);
        }
    }

    /** 100,000 finished runs of 20 pipelines over 100 days, two steps and one log row each. */
    private static void fill(HarvesterRuntime harvester) {
        harvester.execute("""
                insert into runs (pipeline, status, trigger, progress, current_step, created_at, started_at, finished_at, error)
                select 'export:p' || (g % 20), (array['completed', 'completed', 'completed', 'failed', 'skipped'])[1 + g % 5],
                       'schedule', 100, 'publish', t, t, t + interval '90 seconds',
                       case when g % 5 = 3 then 'page 3 failed: 500' end
                from generate_series(1, RUNS) g, lateral (select timestamptz '2030-01-01' + g * interval '86 seconds' as t) x;
                insert into run_steps (run_id, ordinal, name, status, records, started_at, finished_at, result)
                select id, s, (array['fetch', 'publish'])[s], 'completed', 1000, started_at, finished_at, '{"pages": 10}'
                from runs, generate_series(1, 2) s;
                insert into run_logs (run_id, level, message) select id, 'INFO', 'done' from runs;
                analyze runs; analyze run_steps; analyze run_logs;""".replace("RUNS", String.valueOf(RUNS)));
    }

    private interface RequestPath {
        String of(int request);
    }

    private static void latency(HarvesterRuntime harvester, HttpClient http, String name, RequestPath path, String explain) throws Exception {
        long[] millis = new long[REQUESTS];
        for (int i = -WARM_UP; i < REQUESTS; i++) {
            long start = System.nanoTime();
            HttpResponse<byte[]> response = http.send(request(harvester, path.of(i)), HttpResponse.BodyHandlers.ofByteArray());
            long took = System.nanoTime() - start;
            if (response.statusCode() != 200) {
                throw new IllegalStateException(name + ": " + response.statusCode() + " " + new String(response.body(), StandardCharsets.UTF_8));
            }
            if (i >= 0) {
                millis[i] = took;
            }
        }
        Arrays.sort(millis);
        // the node under Limit: which index (if any) hands the rows over in order
        String plan = harvester.query("explain " + explain).stream().map(r -> r.values().iterator().next().toString())
                .filter(l -> !l.startsWith("Limit")).findFirst().orElseThrow().replace("->", "");
        System.out.printf("| %s | %.1f | %.1f | `%s` |%n", name, millis[REQUESTS / 2] / 1e6, millis[REQUESTS * 99 / 100] / 1e6,
                plan.replaceAll("\\s+\\(cost.*", "").strip());
    }

    /** A 1 GB CSV registered as the output of one more run, downloaded against cat, alternating. */
    private static void download(HarvesterRuntime harvester, HttpClient http, Path work) throws Exception {
        Path folder = Files.createDirectories(harvester.outputDir().resolve("big"));
        Path csv = folder.resolve("big.csv");
        byte[] line = "4242,\"Müller, Zoë #4242\",a note of some length,1234.56,true,SPRING\r\n".getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(csv)) {
            byte[] block = new byte[line.length * 16384];
            for (int i = 0; i < 16384; i++) {
                System.arraycopy(line, 0, block, i * line.length, line.length);
            }
            for (long written = 0; written < CSV_BYTES; written += block.length) {
                out.write(block, 0, (int) Math.min(block.length, CSV_BYTES - written));
            }
        }
        long size = Files.size(csv);
        long run = (Long) harvester.query("insert into runs (pipeline, status, trigger, output_dir, finished_at) values"
                + " ('export:big', 'completed', 'api', '" + folder.toAbsolutePath() + "', now()) returning id").get(0).get("id");
        long file = (Long) harvester.query("insert into run_outputs (run_id, path, bytes, rows, sha256) values (" + run
                + ", 'big.csv', " + size + ", 0, '-') returning id").get(0).get("id");
        String path = "/api/runs/" + run + "/files/" + file;
        System.out.println();
        System.out.println("| round | file | cat > /dev/null MB/s | GET " + "/api/runs/{id}/files/{fileId} MB/s | ratio API / cat |");
        System.out.println("|---|---|---|---|---|");
        List<Double> ratios = new ArrayList<>();
        for (int round = 0; round <= DOWNLOAD_ROUNDS; round++) {
            long start = System.nanoTime();
            Process cat = new ProcessBuilder("sh", "-c", "cat \"$0\" > /dev/null", csv.toString()).start();
            if (cat.waitFor() != 0) {
                throw new IllegalStateException("cat failed");
            }
            double catMbs = size / 1e6 / ((System.nanoTime() - start) / 1e9);
            // curl, like cat, is a separate process writing to /dev/null: what is compared is the server's sending
            start = System.nanoTime();
            Process curl = new ProcessBuilder("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                    "-H", "Authorization: Bearer " + HarvesterRuntime.API_TOKEN, "http://localhost:" + harvester.port() + path).start();
            String answer = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (curl.waitFor() != 0 || !answer.equals("200 " + size)) {
                throw new IllegalStateException("download: " + answer);
            }
            double apiMbs = size / 1e6 / ((System.nanoTime() - start) / 1e9);
            if (round > 0) {  // round 0 warms the page cache and the JIT
                ratios.add(apiMbs / catMbs);
                System.out.printf("| %d | %d bytes | %.0f | %.0f | %.2f |%n", round, size, catMbs, apiMbs, apiMbs / catMbs);
            }
        }
        Files.delete(csv);
        ratios.sort(Double::compare);
        System.out.printf("| median | | | | %.2f |%n", ratios.get(ratios.size() / 2));
    }

    private static HttpRequest request(HarvesterRuntime harvester, String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + harvester.port() + path))
                .header("Authorization", "Bearer " + HarvesterRuntime.API_TOKEN).GET().build();
    }
}
