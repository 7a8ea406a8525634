package io.harvester.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.harvester.dispatch.status.StatusStore;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.TestStorage;

/**
 * Status updates end to end (bench/run.sh status; not a test): the same updates posted to
 * {@code /api/tasks/status} by 4 clients in arrays of 500 until task_status holds them all (Lua script in
 * Redis, aggregation repository in Redis, batched upsert; the shipped defaults: at most 500 updates a flush,
 * a flush started as soon as a whole batch is kept, the last batch flushed by the 1 s interval), against a raw JDBC batch upsert of the same rows
 * on one open connection (no HTTP, no Redis), plain and with the driver's batch rewriting, alternating, on
 * emptied tables each time.
 */
public final class StatusBenchmark {

    private static final int UPDATES = 100_000;
    private static final int TASKS = 20_000;
    private static final int PER_REQUEST = 500;
    private static final int CLIENTS = 4;
    private static final int ROUNDS = 3;
    private static final String UPSERT = """
            insert into task_status (task_id, state, payload, updated_at) values (?, ?, ?::jsonb, to_timestamp(? / 1000.0))
            on conflict (task_id) do update set state = excluded.state, payload = excluded.payload, updated_at = excluded.updated_at
            where task_status.updated_at <= excluded.updated_at""";

    private StatusBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createDirectories(Path.of("target", "bench", "status"));
        List<String> bodies = new ArrayList<>();
        List<String> batch = new ArrayList<>();
        for (int i = 0; i < UPDATES; i++) {
            batch.add("{\"id\":\"t%d\",\"state\":\"s%d\",\"at\":%d,\"worker\":\"w%d\"}".formatted(i % TASKS, i, 1_000_000L + i, i % 8));
            if (batch.size() == PER_REQUEST) {
                bodies.add("[" + String.join(",", batch) + "]");
                batch.clear();
            }
        }
        try (HarvesterRuntime harvester = HarvesterRuntime.start(work, "[]", Map.of())) {
            StatusStore store = harvester.context().getRegistry().lookupByNameAndType("statusStore", StatusStore.class);
            HttpClient http = HttpClient.newHttpClient();
            System.out.println("| round | updates | raw JDBC batch upsert /s | same, reWriteBatchedInserts /s | Harvester HTTP → PostgreSQL /s"
                    + " | of which posting (s) | ratio to each | aim |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            for (int round = 0; round <= ROUNDS; round++) {
                harvester.execute("truncate task_status");
                double raw = rawUpsert(harvester.dbUrl());
                harvester.execute("truncate task_status");
                double rewritten = rawUpsert(harvester.dbUrl() + (harvester.dbUrl().contains("?") ? "&" : "?") + "reWriteBatchedInserts=true");
                harvester.execute("truncate task_status");
                long before = store.flushedUpdates();
                long start = System.nanoTime();
                post(http, harvester.port(), bodies);
                double posted = (System.nanoTime() - start) / 1e9;
                while (store.flushedUpdates() - before < UPDATES) {
                    Thread.sleep(5);
                }
                double ours = UPDATES / ((System.nanoTime() - start) / 1e9);
                long rows = (Long) harvester.query("select count(*) as n from task_status").get(0).get("n");
                if (rows != TASKS) {
                    throw new IllegalStateException("expected " + TASKS + " task_status rows, found " + rows);
                }
                if (round > 0) {  // round 0 warms up
                    System.out.printf("| %d | %,d | %,.0f | %,.0f | %,.0f | %.2f of %.2f | %.2f, %.2f | ≥ 0.7 of the second |%n", round, UPDATES,
                            raw, rewritten, ours, posted, UPDATES / ours, ours / raw, ours / rewritten);
                }
            }
        }
        System.exit(0);
    }

    private static double rawUpsert(String dbUrl) throws Exception {
        try (Connection c = DriverManager.getConnection(dbUrl, TestStorage.get().user(), "");
             PreparedStatement ps = c.prepareStatement(UPSERT)) {
            long start = System.nanoTime();
            for (int i = 0; i < UPDATES; i++) {
                ps.setString(1, "t" + (i % TASKS));
                ps.setString(2, "s" + i);
                ps.setString(3, "{\"worker\":\"w" + (i % 8) + "\"}");
                ps.setLong(4, 1_000_000L + i);
                ps.addBatch();
                if ((i + 1) % PER_REQUEST == 0) {
                    ps.executeBatch();
                }
            }
            return UPDATES / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static void post(HttpClient http, int port, List<String> bodies) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> sent = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            sent.add(clients.submit(() -> {
                for (int i = client; i < bodies.size(); i += CLIENTS) {
                    HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/tasks/status"))
                            .header("Authorization", "Bearer " + HarvesterRuntime.API_TOKEN).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i))).build();
                    HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
                    if (answer.statusCode() != 202) {
                        throw new IllegalStateException("status " + answer.statusCode() + ": " + answer.body());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : sent) {
            f.get();
        }
        clients.shutdown();
    }
}
