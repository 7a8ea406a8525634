package io.harvester.dispatch.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import io.harvester.support.DaemonScope;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.LogLines;
import io.harvester.support.TestStorage;
import org.apache.camel.Exchange;
import org.apache.camel.component.redis.processor.aggregate.RedisAggregationRepository;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/** The status cache on real PostgreSQL and Redis, through its real HTTP endpoint and Redis list. */
@HarvesterDaemon(scope = HarvesterDaemon.Scope.METHOD)
class StatusCacheTest {

    DaemonScope daemons;
    HarvesterRuntime harvester;

    private static final long BASE = 1_700_000_000_000L;
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void should_keep_the_newest_state_of_every_task_from_eight_producers_over_http_and_the_list() throws Exception {
        harvester = daemons.start("[]", Map.of("harvester.status.completion-size", "500",
                "harvester.status.completion-interval-ms", "300", "harvester.status.queue-poll-ms", "20"));
        RedissonClient redis = redis();
        String queue = property("harvester.status.queue");
        int producers = 8;
        int perProducer = 1250;
        int tasks = 700;
        AtomicLong clock = new AtomicLong();
        Map<String, long[]> newest = new java.util.concurrent.ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(producers);
        List<Future<?>> done = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            boolean overHttp = p % 2 == 0;
            done.add(pool.submit(() -> {
                List<String> batch = new ArrayList<>();
                for (int i = 0; i < perProducer; i++) {
                    String task = "t" + ThreadLocalRandom.current().nextInt(tasks);
                    long at = BASE + clock.incrementAndGet();
                    newest.merge(task, new long[] {at}, (a, b) -> a[0] >= b[0] ? a : b);
                    String update = "{\"id\": \"%s\", \"state\": \"s%d\", \"at\": %d, \"worker\": \"w\"}".formatted(task, at, at);
                    if (overHttp) {
                        batch.add(update);
                        if (batch.size() == 25 || i == perProducer - 1) {
                            assertThat(post("[" + String.join(",", batch) + "]", HarvesterRuntime.API_TOKEN).statusCode()).isEqualTo(202);
                            batch.clear();
                        }
                    } else {
                        redis.getDeque(queue, StringCodec.INSTANCE).addFirst(update);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();

        await().atMost(Duration.ofSeconds(30)).until(() -> count("select count(*) as n from task_status") == newest.size()
                && harvester.query("select task_id, state from task_status").stream()
                        .allMatch(r -> r.get("state").equals("s" + newest.get((String) r.get("task_id"))[0])));
        StatusStore store = harvester.context().getRegistry().lookupByNameAndType("statusStore", StatusStore.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> store.flushedUpdates() == producers * perProducer);
        assertThat(store.flushes()).as("batches of at most 500").isGreaterThanOrEqualTo(producers * perProducer / 500);
        assertThat(store.waiting()).isZero();
        assertThat(redis.getList(queue, StringCodec.INSTANCE).size()).isZero();
        assertThat(redis.getList(property("harvester.status.key-prefix") + "processing:" + io.harvester.infra.InstanceId.get(),
                StringCodec.INSTANCE).size()).as("every taken entry released after its flush").isZero();
        // Redis holds the newest state too (no task records exist: id -> state)
        Map<String, String> states = redis.<String, String>getMap(property("harvester.status.key-prefix") + "states", StringCodec.INSTANCE)
                .readAllMap();
        Map<String, String> expected = new HashMap<>();
        newest.forEach((task, at) -> expected.put(task, "s" + at[0]));
        assertThat(states).isEqualTo(expected);
        assertThat(harvester.query("select payload::text as payload from task_status limit 1"))
                .containsExactly(Map.of("payload", "{\"worker\": \"w\"}"));

        // idle: a single update is flushed by time, as a batch of its own
        long flushes = store.flushes();
        assertThat(post("{\"id\": \"idle\", \"state\": \"done\"}", HarvesterRuntime.API_TOKEN).body()).isEqualTo("{\"accepted\":1}");
        await().atMost(Duration.ofSeconds(10)).until(() -> count("select count(*) as n from task_status where task_id = 'idle'") == 1
                && store.flushes() == flushes + 1);
    }

    @Test
    void should_update_the_full_task_record_when_it_exists_and_never_go_back_to_an_older_state() throws Exception {
        harvester = daemons.start("[]", Map.of("harvester.status.completion-interval-ms", "100"));
        RedissonClient redis = redis();
        String record = property("harvester.status.record-prefix") + "42";
        redis.getMap(record, StringCodec.INSTANCE).put("keyword", "LAMP");

        post("[{\"id\": 42, \"state\": \"running\", \"at\": 2000}, {\"id\": 42, \"state\": \"queued\", \"at\": 1000},"
                + " {\"id\": \"7\", \"state\": \"done\", \"at\": \"2024-03-21T04:00:00Z\"}]", HarvesterRuntime.API_TOKEN);

        assertThat(redis.<String, String>getMap(record, StringCodec.INSTANCE).readAllMap())
                .isEqualTo(Map.of("keyword", "LAMP", "state", "running", "state_at", "2000"));
        assertThat(redis.<String, String>getMap(property("harvester.status.key-prefix") + "states", StringCodec.INSTANCE).readAllMap())
                .isEqualTo(Map.of("7", "done"));
        await().atMost(Duration.ofSeconds(10)).until(() -> count("select count(*) as n from task_status") == 2);
        // an older report arriving later changes nothing
        post("{\"id\": 42, \"state\": \"queued\", \"at\": 1500}", HarvesterRuntime.API_TOKEN);
        StatusStore store = harvester.context().getRegistry().lookupByNameAndType("statusStore", StatusStore.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> store.flushedUpdates() == 4);
        assertThat(harvester.query("select task_id, state, extract(epoch from updated_at)::float8 as at from task_status order by task_id"))
                .containsExactly(Map.of("task_id", "42", "state", "running", "at", 2.0),
                        Map.of("task_id", "7", "state", "done", "at", 1710993600.0));
        assertThat(redis.<String, String>getMap(record, StringCodec.INSTANCE).get("state")).isEqualTo("running");
    }

    @Test
    void should_refuse_bad_requests_with_the_field_and_keep_nothing_of_them() throws Exception {
        // nothing is flushed during the test: what is kept is read from the pending list
        harvester = daemons.start("[]", Map.of("harvester.status.completion-interval-ms", "600000",
                "harvester.status.lease-ms", "1800000", "camel.server.max-body-size", "2000"));
        String good = "{\"id\": \"a\", \"state\": \"ok\"}";
        String token = HarvesterRuntime.API_TOKEN;

        assertThat(answer(post(good, null))).isEqualTo("401 {\"error\":\"missing API token: send Authorization: Bearer <token>\"}");
        assertThat(answer(post(good, "wrong"))).isEqualTo("401 {\"error\":\"wrong API token\"}");
        assertThat(answer(post("{\"state\": \"ok\"}", token)))
                .isEqualTo("400 {\"error\":\"id is required: a non-empty string or an integer\",\"field\":\"id\"}");
        assertThat(answer(post("[" + good + ", {\"id\": \"b\", \"state\": 3}]", token)))
                .isEqualTo("400 {\"error\":\"state is required: a non-empty string\",\"field\":\"[1].state\"}");
        assertThat(answer(post("{\"id\": \"a\", \"state\": \"ok\", \"at\": \"yesterday\"}", token)))
                .isEqualTo("400 {\"error\":\"at must be epoch milliseconds or an ISO-8601 instant such as 2024-03-21T04:00:00Z\",\"field\":\"at\"}");
        assertThat(answer(post("{\"id\": \"a\", \"state\": \"ok\", \"at\": \"+300000000-01-01T00:00:00Z\"}", token)))
                .isEqualTo("400 {\"error\":\"at must be epoch milliseconds or an ISO-8601 instant such as 2024-03-21T04:00:00Z\",\"field\":\"at\"}");
        assertThat(answer(post("{\"id\": \"a\", \"state\": \"ok\", \"at\": " + (System.currentTimeMillis() + 2 * 86_400_000L) + "}", token)))
                .isEqualTo("400 {\"error\":\"at is more than a day ahead of this server's clock\",\"field\":\"at\"}");
        assertThat(answer(post("{\"id\": \"a\\u0000\", \"state\": \"ok\"}", token)))
                .isEqualTo("400 {\"error\":\"id holds a NUL character\",\"field\":\"id\"}");
        assertThat(answer(post("[" + good + ", {\"id\": \"b\", \"state\": \"ok\", \"note\": \"x\\u0000\"}]", token)))
                .isEqualTo("400 {\"error\":\"a field holds a NUL character\",\"field\":\"[1]\"}");
        assertThat(answer(post("{\"id\": ", token))).startsWith("400 {\"error\":\"not JSON: ").endsWith("\"field\":\"body\"}");
        assertThat(answer(post("[]", token))).isEqualTo(
                "400 {\"error\":\"expected a status update {\\\"id\\\", \\\"state\\\"} or a non-empty array of them\",\"field\":\"body\"}");
        assertThat(post("[" + (good + ",").repeat(100) + good + "]", token).statusCode()).isEqualTo(413);

        // a Camel header, in any letter case, steers nothing and is kept nowhere
        HttpResponse<String> steered = http.send(request("{\"id\": \"c\", \"state\": \"ok\"}", token)
                .header("cAmElAggregationCompleteAllGroups", "true").header("CAMELAGGREGATIONCOMPLETEALLGROUPS", "true").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer(steered)).isEqualTo("202 {\"accepted\":1}");
        List<String> waiting = redis().<String>getList(property("harvester.status.key-prefix") + "pending", StringCodec.INSTANCE).readAll();
        assertThat(waiting).hasSize(1);
        assertThat(waiting.get(0)).matches("\\{\"id\":\"c\",\"state\":\"ok\",\"at\":\\d+,\"payload\":null\\}");
        assertThat(redis().getMap(property("harvester.status.key-prefix") + "states", StringCodec.INSTANCE).keySet())
                .containsExactly("c");
    }

    @Test
    void should_refuse_an_update_whose_task_record_is_no_hash_and_let_every_other_update_through() throws Exception {
        harvester = daemons.start("[]", Map.of("harvester.status.completion-interval-ms", "100",
                "harvester.status.queue-poll-ms", "20"));
        RedissonClient redis = redis();
        String poison = property("harvester.status.record-prefix") + "poison";
        redis.getSet(poison, StringCodec.INSTANCE).add("a worker's mistake");
        String token = HarvesterRuntime.API_TOKEN;

        String refusal = "Redis key " + poison + " holds a set, not a hash: no state can be stored there (nothing of this request was kept)";
        assertThat(answer(post("[{\"id\": \"a\", \"state\": \"ok\", \"at\": 1}, {\"id\": \"poison\", \"state\": \"x\", \"at\": 1}]", token)))
                .isEqualTo("400 {\"error\":\"" + refusal + "\",\"field\":\"[1].id\"}");
        assertThat(answer(post("{\"id\": \"poison\", \"state\": \"x\", \"at\": 1}", token)))
                .isEqualTo("400 {\"error\":\"" + refusal + "\",\"field\":\"id\"}");
        assertThat(redis.getMap(property("harvester.status.key-prefix") + "states", StringCodec.INSTANCE).isExists()).isFalse();
        assertThat(answer(post("{\"id\": \"a\", \"state\": \"ok\", \"at\": 1}", token))).isEqualTo("202 {\"accepted\":1}");

        // on the list the refused entry is set aside, the ones beside it are applied
        String queue = property("harvester.status.queue");
        String bad = "{\"id\": \"poison\", \"state\": \"x\", \"at\": 2}";
        try (LogLines log = LogLines.capture()) {
            redis.getDeque(queue, StringCodec.INSTANCE).addFirst("{\"id\": \"q1\", \"state\": \"ok\", \"at\": 2}");
            redis.getDeque(queue, StringCodec.INSTANCE).addFirst(bad);
            redis.getDeque(queue, StringCodec.INSTANCE).addFirst("{\"id\": \"q2\", \"state\": \"ok\", \"at\": 2}");
            await().atMost(Duration.ofSeconds(10)).until(() -> harvester.query("select task_id from task_status order by task_id")
                    .equals(List.of(Map.of("task_id", "a"), Map.of("task_id", "q1"), Map.of("task_id", "q2"))));
            assertThat(redis.<String>getList(property("harvester.status.key-prefix") + "rejected", StringCodec.INSTANCE).readAll())
                    .containsExactly(bad);
            assertThat(log.containing("status list entry")).containsExactly("WARN status list entry of task poison rejected ("
                    + refusal.substring(0, refusal.indexOf(" (")) + "), kept in the rejected list");
        }
        assertThat(redis.getList(queue, StringCodec.INSTANCE).size()).isZero();
        assertThat(redis.getList(property("harvester.status.key-prefix") + "processing:" + io.harvester.infra.InstanceId.get(),
                StringCodec.INSTANCE).size()).isZero();

        // one of Harvester's own keys of the wrong type is a server fault, named
        redis.getMap(property("harvester.status.key-prefix") + "states", StringCodec.INSTANCE).delete();
        redis.getSet(property("harvester.status.key-prefix") + "states", StringCodec.INSTANCE).add("x");
        HttpResponse<String> broken = post("{\"id\": \"b\", \"state\": \"ok\"}", token);
        assertThat(broken.statusCode()).isEqualTo(500);
        assertThat(broken.body()).contains("Harvester's own Redis key " + property("harvester.status.key-prefix") + "states holds a set");
    }

    @Test
    void should_write_what_an_instance_that_never_came_back_held_and_leave_a_living_instance_its_batch() throws Exception {
        harvester = daemons.start("[]", Map.of("harvester.status.completion-interval-ms", "100",
                "harvester.status.recovery-interval-ms", "100", "harvester.status.queue-poll-ms", "20"));
        RedissonClient redis = redis();
        String prefix = property("harvester.status.key-prefix");
        // a recreated container's predecessor: a batch in flight and a taken list entry, no lease any more
        redis.getList(prefix + "flushing:gone", StringCodec.INSTANCE).add("{\"id\":\"g1\",\"state\":\"in-flight\",\"at\":5,\"payload\":null}");
        redis.getList(prefix + "processing:gone", StringCodec.INSTANCE).add("{\"id\": \"g2\", \"state\": \"taken\", \"at\": 5}");
        // another instance, alive: its lease holds, its batch is its own
        redis.getBucket(prefix + "lease:alive", StringCodec.INSTANCE).set("1", Duration.ofMinutes(1));
        redis.getList(prefix + "flushing:alive", StringCodec.INSTANCE).add("{\"id\":\"a1\",\"state\":\"its-own\",\"at\":5,\"payload\":null}");
        redis.getSet(prefix + "instances", StringCodec.INSTANCE).addAll(List.of("gone", "alive"));

        await().atMost(Duration.ofSeconds(10)).until(() -> harvester.query("select task_id, state from task_status order by task_id")
                .equals(List.of(Map.of("task_id", "g1", "state", "in-flight"), Map.of("task_id", "g2", "state", "taken"))));
        assertThat(redis.getKeys().countExists(prefix + "flushing:gone", prefix + "processing:gone")).isZero();
        assertThat(redis.getSet(prefix + "instances", StringCodec.INSTANCE).readAll()).doesNotContain("gone").contains("alive");
        assertThat(redis.<String>getList(prefix + "flushing:alive", StringCodec.INSTANCE).readAll()).hasSize(1);
    }

    @Test
    void should_write_what_an_earlier_version_left_in_its_aggregation_repository() throws Exception {
        harvester = daemons.start("[]", Map.of("harvester.status.completion-interval-ms", "100"));
        RedissonClient redis = redis();
        StatusKeys keys = new StatusKeys(property("harvester.status.key-prefix"), property("harvester.status.queue"),
                property("harvester.status.record-prefix"), "upgraded");
        // as the aggregator of an earlier version left them: a batch waiting, and a batch whose flush failed
        RedisAggregationRepository old = new RedisAggregationRepository();
        old.setRedisson(redis);
        old.setMapName(keys.prefix() + "aggregation:upgraded");
        old.setUseRecovery(true);
        old.start();
        try {
            old.add(harvester.context(), "task-status", batch("{\"id\":\"w1\",\"state\":\"waiting\",\"at\":7,\"payload\":null,\"raw\":null}"));
            Exchange failed = batch("{\"id\":\"f1\",\"state\":\"failed-flush\",\"at\":7,\"payload\":\"{\\\"n\\\": 1}\",\"raw\":null}");
            old.add(harvester.context(), "failed", failed);
            old.remove(harvester.context(), "failed", failed);
        } finally {
            old.stop();
        }

        assertThat(LegacyAggregation.drain(harvester.context(), redis, keys)).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> harvester.query(
                "select task_id || '=' || state || ' ' || coalesce(payload::text, '-') as row from task_status order by task_id")
                .equals(List.of(Map.of("row", "f1=failed-flush {\"n\": 1}"), Map.of("row", "w1=waiting -"))));
        assertThat(redis.getKeys().countExists(keys.prefix() + "aggregation:upgraded", keys.prefix() + "aggregation:upgraded-completed")).isZero();
        assertThat(LegacyAggregation.drain(harvester.context(), redis, keys)).isZero();
    }

    private Exchange batch(String... texts) {
        Exchange exchange = new org.apache.camel.support.DefaultExchange(harvester.context());
        exchange.getMessage().setBody(new ArrayList<>(List.of(texts)));
        return exchange;
    }

    @Test
    void should_keep_updates_while_the_database_is_away_and_write_them_once_it_returns() throws Exception {
        harvester = daemons.start("[]", Map.of("harvester.status.completion-size", "10",
                "harvester.status.completion-interval-ms", "100", "harvester.status.recovery-interval-ms", "300"));
        StatusStore store = harvester.context().getRegistry().lookupByNameAndType("statusStore", StatusStore.class);
        String database = harvester.dbUrl().replaceAll(".*/([^/?]+).*", "$1");
        TestStorage storage = TestStorage.get();
        storage.admin("alter database " + database + " allow_connections false");
        storage.admin("select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + database + "'");
        try {
            for (int request = 0; request < 3; request++) {
                List<String> updates = new ArrayList<>();
                for (int i = 0; i < 9; i++) {
                    updates.add("{\"id\": \"t%d\", \"state\": \"r%d\", \"at\": %d}".formatted(i, request, 1000 + request));
                }
                // Redis keeps them: acknowledged while PostgreSQL is away
                assertThat(answer(post("[" + String.join(",", updates) + "]", HarvesterRuntime.API_TOKEN))).isEqualTo("202 {\"accepted\":9}");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> store.failedFlushes() >= 2);
        } finally {
            storage.admin("alter database " + database + " allow_connections true");
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> store.flushedUpdates() == 27);
        assertThat(harvester.query("select task_id, state from task_status order by task_id")).hasSize(9)
                .allMatch(r -> r.get("state").equals("r2"));
    }

    @Test
    void should_flush_as_soon_as_a_whole_batch_is_kept_and_leave_less_for_the_tick() throws Exception {
        // no tick during the test: only a whole batch kept, over HTTP and from the list together, starts a flush
        harvester = daemons.start("[]", Map.of("harvester.status.completion-size", "10", "harvester.status.completion-interval-ms", "600000",
                "harvester.status.lease-ms", "1800000", "harvester.status.queue-poll-ms", "20"));
        StatusStore store = harvester.context().getRegistry().lookupByNameAndType("statusStore", StatusStore.class);
        assertThat(answer(post(updates(0, 6), HarvesterRuntime.API_TOKEN))).isEqualTo("202 {\"accepted\":6}");
        for (int i = 6; i < 10; i++) {
            redis().getDeque(property("harvester.status.queue"), StringCodec.INSTANCE).addFirst("{\"id\": \"t%d\", \"state\": \"done\"}".formatted(i));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> store.flushedUpdates() == 10);
        assertThat(count("select count(*) as n from task_status")).isEqualTo(10);

        assertThat(answer(post(updates(10, 3), HarvesterRuntime.API_TOKEN))).isEqualTo("202 {\"accepted\":3}");
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(3))
                .until(() -> store.waiting() == 3 && store.flushedUpdates() == 10 && store.flushes() == 1);

        assertThat(answer(post(updates(13, 7), HarvesterRuntime.API_TOKEN))).isEqualTo("202 {\"accepted\":7}");
        await().atMost(Duration.ofSeconds(10)).until(() -> store.flushedUpdates() == 20);
        assertThat(store.flushes()).isEqualTo(2);
        assertThat(store.waiting()).isZero();
        assertThat(count("select count(*) as n from task_status where state = 'done'")).isEqualTo(20);
    }

    private static String updates(int first, int count) {
        List<String> updates = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            updates.add("{\"id\": \"t%d\", \"state\": \"done\"}".formatted(i));
        }
        return "[" + String.join(",", updates) + "]";
    }

    private HttpResponse<String> post(String body, String token) throws Exception {
        return http.send(request(body, token).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String body, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + harvester.port() + "/api/tasks/status"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }

    private static String answer(HttpResponse<String> response) {
        return response.statusCode() + " " + response.body();
    }

    private RedissonClient redis() {
        return harvester.context().getRegistry().lookupByNameAndType("redisson", RedissonClient.class);
    }

    private String property(String key) {
        return harvester.context().getPropertiesComponent().resolveProperty(key).orElseThrow();
    }

    private long count(String sql) {
        return (Long) harvester.query(sql).get(0).get("n");
    }
}
