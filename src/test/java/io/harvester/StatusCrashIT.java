package io.harvester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.harvester.support.DaemonProcess;
import io.harvester.support.TestStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Status updates acknowledged by a Harvester process while PostgreSQL was away (its flushes failing), the
 * process then killed with {@code kill -9}, are in task_status after the next start of the same instance:
 * those it answered 202 to over HTTP (an array bigger than a batch, and arrays that completed batches),
 * those it took from the Redis list, and one a crash caught between the take and the aggregator.
 */
class StatusCrashIT {

    private static final String TOKEN = "crash-token";
    private final String space = "it-status-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ":";
    private final RedissonClient redis = redis();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void closeRedis() {
        redis.shutdown();
    }

    @Test
    void should_flush_after_a_kill_every_update_acknowledged_before_it() throws Exception {
        String queue = space + "queue";
        TestStorage storage = TestStorage.get();
        try (DaemonProcess first = daemon().prod()) {
            String database = first.dbUrl().replaceAll(".*/([^/?]+).*", "$1");
            first.start(options());
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> post(first, "{\"id\": \"ready\", \"state\": \"s\", \"at\": 1}") == 202);
            await().atMost(Duration.ofSeconds(10)).until(() -> first.query("select count(*) as n from task_status").equals(List.of(Map.of("n", 1L))));
            // PostgreSQL goes away: every flush from now on fails, and the process is killed before any succeeds
            storage.admin("alter database " + database + " allow_connections false");
            try {
                storage.admin("select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + database + "'");
                // one array bigger than a batch, then arrays that each tip the count and complete a batch
                assertThat(post(first, array(0, 60))).isEqualTo(202);
                for (int from = 60; from < 120; from += 20) {
                    assertThat(post(first, array(from, from + 20))).isEqualTo(202);
                }
                for (int j = 0; j < 100; j++) {
                    redis.getDeque(queue, StringCodec.INSTANCE).addFirst("{\"id\": \"q%d\", \"state\": \"list-%d\", \"at\": %d}".formatted(j, j, 1000 + j));
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> redis.getList(queue, StringCodec.INSTANCE).isEmpty());
                await().atMost(Duration.ofSeconds(30)).until(() -> first.log().contains("Status flush: writing task_status"));
                first.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            } finally {
                storage.admin("alter database " + database + " allow_connections true");
            }
            assertThat(first.query("select count(*) as n from task_status")).containsExactly(Map.of("n", 1L));
            // a crash between the take and the aggregator leaves an entry in the processing list only
            redis.getList(space + "processing:status-node", StringCodec.INSTANCE).add("{\"id\": \"p1\", \"state\": \"taken\", \"at\": 5}");

            try (DaemonProcess second = daemon().prod(first.dbUrl())) {
                second.start(options());
                await().atMost(Duration.ofSeconds(90)).until(() -> second.query("select count(*) as n from task_status")
                        .equals(List.of(Map.of("n", 222L))));
                assertThat(second.query("select count(*) as n from task_status where task_id like 'h%' and state = 'http-' || substr(task_id, 2)"
                        + " or task_id like 'q%' and state = 'list-' || substr(task_id, 2)"
                        + " or task_id = 'p1' and state = 'taken' or task_id = 'ready'")).containsExactly(Map.of("n", 222L));
                await().atMost(Duration.ofSeconds(10)).until(() -> redis.getList(space + "processing:status-node", StringCodec.INSTANCE).isEmpty());
                assertThat(redis.getList(queue, StringCodec.INSTANCE).size()).isZero();
            }
        }
    }

    /** Updates h{from} .. h{to - 1} as one JSON array. */
    private static String array(int from, int to) {
        List<String> updates = new ArrayList<>();
        for (int j = from; j < to; j++) {
            updates.add("{\"id\": \"h%d\", \"state\": \"http-%d\", \"at\": %d}".formatted(j, j, 1000 + j));
        }
        return "[" + String.join(",", updates) + "]";
    }

    private DaemonProcess daemon() {
        return DaemonProcess.prepare().env("HARVESTER_INSTANCE_ID", "status-node").env("HARVESTER_API_TOKEN", TOKEN);
    }

    private String[] options() {
        return new String[] {"-Dharvester.status.completion-size=50", "-Dharvester.status.completion-interval-ms=500",
                "-Dharvester.status.recovery-interval-ms=500",
                "-Dharvester.status.key-prefix=" + space, "-Dharvester.status.queue=" + space + "queue",
                "-Dharvester.status.record-prefix=" + space + "task:", "-Dharvester.status.queue-poll-ms=50"};
    }

    private int post(DaemonProcess daemon, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + daemon.port() + "/api/tasks/status"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static RedissonClient redis() {
        return TestStorage.get().redisClient();
    }
}
