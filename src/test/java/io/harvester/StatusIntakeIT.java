package io.harvester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.harvester.support.DaemonProcess;
import io.harvester.support.TestPorts;
import io.harvester.support.TestStorage;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/**
 * The status intake of a Harvester process under what the outside world does to it: outages of Redis and
 * PostgreSQL while workers post (nothing acknowledged is lost), and floods of 4 MB bodies (the daemon
 * stays healthy and keeps taking good updates).
 */
class StatusIntakeIT {

    private static final String TOKEN = "outage-token";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * Workers post without pause while Redis (a server of this test's own, with AOF) is stopped and started
     * again, and then PostgreSQL refuses connections: every update answered 202 reaches task_status within
     * seconds of both being back, without a restart; the others were answered 503 with Retry-After, never
     * 500; each outage is one WARN and one INFO, not a stack trace a request.
     */
    @Test
    void should_store_every_acknowledged_update_across_a_redis_and_a_postgres_outage() throws Exception {
        Path redisDir = Files.createTempDirectory("status-outage-redis");
        int redisPort = TestPorts.next();
        RedisServer redis = redis(redisPort, redisDir);
        redis.start();
        TestStorage storage = TestStorage.get();
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Set<String> sent = ConcurrentHashMap.newKeySet();
        List<String> unexpected = new CopyOnWriteArrayList<>();
        AtomicInteger unavailable = new AtomicInteger();
        AtomicBoolean posting = new AtomicBoolean(true);
        ExecutorService workers = Executors.newFixedThreadPool(4);
        try (DaemonProcess daemon = DaemonProcess.prepare().prod().env("HARVESTER_API_TOKEN", TOKEN)
                .env("HARVESTER_REDIS_URL", "redis://127.0.0.1:" + redisPort)) {
            String database = daemon.dbUrl().replaceAll(".*/([^/?]+).*", "$1");
            daemon.start("-Dharvester.status.completion-interval-ms=200", "-Dharvester.status.recovery-interval-ms=500",
                    "-Dharvester.status.lease-ms=2000", "-Dharvester.dispatch.delay-timers=false");
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> post(daemon, "[{\"id\": \"ready\", \"state\": \"s\"}]").statusCode() == 202);
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int worker = w;
                running.add(workers.submit(() -> {
                    for (int n = 0; posting.get(); n++) {
                        List<String> ids = new ArrayList<>();
                        for (int i = 0; i < 10; i++) {
                            ids.add("w" + worker + "-" + n + "-" + i);
                        }
                        sent.addAll(ids);
                        String body = ids.stream().map(id -> "{\"id\": \"" + id + "\", \"state\": \"done\", \"at\": 1000}")
                                .reduce((a, b) -> a + "," + b).map(s -> "[" + s + "]").orElseThrow();
                        try {
                            HttpResponse<String> answer = post(daemon, body);
                            if (answer.statusCode() == 202) {
                                acknowledged.addAll(ids);
                            } else if (answer.statusCode() == 503 && answer.headers().firstValue("Retry-After").orElse("").equals("5")
                                    && answer.body().startsWith("{\"error\":\"Redis is unreachable")) {
                                unavailable.incrementAndGet();
                            } else {
                                unexpected.add(answer.statusCode() + " " + answer.body());
                            }
                        } catch (IOException e) {
                            unexpected.add(e.toString());
                        } catch (InterruptedException e) {
                            return null;
                        }
                    }
                    return null;
                }));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 400);
            redis.stop();
            await().atMost(Duration.ofSeconds(60)).until(() -> unavailable.get() >= 4);
            int before = acknowledged.size();
            redis = redis(redisPort, redisDir);
            redis.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= before + 400);
            storage.admin("alter database " + database + " allow_connections false");
            try {
                storage.admin("select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + database + "'");
                int cut = acknowledged.size();
                // acknowledged while PostgreSQL is away: Redis keeps them
                await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= cut + 400
                        && daemon.log().contains("Status flush: writing task_status in PostgreSQL"));
            } finally {
                storage.admin("alter database " + database + " allow_connections true");
            }
            posting.set(false);
            for (Future<?> worker : running) {
                worker.get(60, TimeUnit.SECONDS);
            }

            assertThat(unexpected).isEmpty();
            await().atMost(Duration.ofSeconds(30)).until(() -> stored(daemon).containsAll(acknowledged));
            Set<String> stored = stored(daemon);
            assertThat(sent).containsAll(stored);
            // the log: one WARN as each outage starts and one INFO as it ends, per piece of work
            String log = daemon.log();
            log.lines().filter(line -> line.contains(" WARN ") || line.contains("works again")).forEach(System.out::println);
            assertThat(count(log, "WARN  [") ).as("WARN lines").isLessThanOrEqualTo(12);
            assertThat(count(log, "Status intake over HTTP (answering 503 while Redis is away) failed")).isEqualTo(1);
            assertThat(count(log, "Status intake over HTTP (answering 503 while Redis is away) works again")).isEqualTo(1);
            assertThat(count(log, "Status flush: writing task_status in PostgreSQL (updates wait in Redis) failed")).isEqualTo(1);
            assertThat(count(log, "Status flush: writing task_status in PostgreSQL (updates wait in Redis) works again")).isEqualTo(1);
            assertThat(count(log, "ApiResponse")).as("no request failed with a stack trace").isZero();
            System.out.printf("status outage: %d acknowledged, %d stored, %d answered 503, %d sent%n",
                    acknowledged.size(), stored.size(), unavailable.get(), sent.size());
        } finally {
            posting.set(false);
            workers.shutdownNow();
            redis.stop();
        }
    }

    /**
     * 200 clients at once post 4 MB each to a daemon with a 256 MB heap: without a token (401 from the
     * headers, no body kept), then with one (the in-flight budget answers 503 to what does not fit). The
     * daemon stays healthy, never runs out of heap, and stores a good update right after.
     */
    @Test
    void should_stay_healthy_under_200_parallel_4_mb_posts_with_and_without_token() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.prepare().prod().env("HARVESTER_API_TOKEN", TOKEN)) {
            daemon.start("-Xmx256m", "-Dharvester.status.completion-interval-ms=200");
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> post(daemon, "{\"id\": \"ready\", \"state\": \"s\"}").statusCode() == 202);
            // a report the intake refuses only once it has read and parsed all 4 MB of it
            String big = "{\"id\": \"big\", \"state\": \"\", \"pad\": \"" + "x".repeat(4_194_304 - 40) + "\"}";
            Map<String, Integer> withoutToken = flood(daemon, big, null);
            assertThat(withoutToken).as("answers without token").containsOnlyKeys("401");
            Map<String, Integer> withToken = flood(daemon, big, TOKEN);
            assertThat(withToken).as("answers with token").containsOnlyKeys("400", "503");
            assertThat(withToken.get("400")).isPositive();
            assertThat(withToken.get("503")).isPositive();

            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + daemon.port() + "/observe/health"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(post(daemon, "{\"id\": \"after\", \"state\": \"done\"}").statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(10)).until(() -> daemon.query("select state from task_status where task_id = 'after'")
                    .equals(List.of(Map.of("state", "done"))));
            assertThat(daemon.log()).doesNotContain("OutOfMemoryError");
            System.out.printf("flood of 4 MB posts: without token %s, with token %s%n", withoutToken, withToken);
        }
    }

    /** 200 posts of {@code body} at once; how many got each status (or which exception). */
    private Map<String, Integer> flood(DaemonProcess daemon, String body, String token) throws Exception {
        // one client thread pool on 2 busy cores: a connect may wait long for its selector, not for the daemon
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(120)).build();
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ExecutorService clients = Executors.newFixedThreadPool(200);
        Map<String, Integer> answers = new ConcurrentHashMap<>();
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                sent.add(clients.submit(() -> {
                    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + daemon.port() + "/api/tasks/status"))
                            .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
                    if (token != null) {
                        request.header("Authorization", "Bearer " + token);
                    }
                    String answer;
                    try {
                        answer = String.valueOf(client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode());
                    } catch (IOException e) {
                        answer = e.getClass().getSimpleName();
                    }
                    answers.merge(answer, 1, Integer::sum);
                    return null;
                }));
            }
            for (Future<?> one : sent) {
                one.get(180, TimeUnit.SECONDS);
            }
        } finally {
            clients.shutdownNow();
        }
        return answers;
    }

    private static Set<String> stored(DaemonProcess daemon) {
        Set<String> ids = new HashSet<>();
        for (Map<String, Object> row : daemon.query("select task_id from task_status where task_id like 'w%'")) {
            ids.add((String) row.get("task_id"));
        }
        return ids;
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }

    private static RedisServer redis(int port, Path dir) throws IOException {
        return RedisServer.newRedisServer().port(port).bind("127.0.0.1").setting("dir " + dir)
                .setting("appendonly yes").setting("appendfsync always").setting("save \"\"").build();
    }

    private HttpResponse<String> post(DaemonProcess daemon, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + daemon.port() + "/api/tasks/status"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
