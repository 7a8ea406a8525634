package io.harvester.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.support.DaemonScope;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.client.protocol.ScoredEntry;

/**
 * Delayed tasks on real PostgreSQL and Redis, on a clock the test moves: where a task waits, when it is
 * moved and released, and that it is released once, through a crash, a restart and a second instance.
 * The threshold is 10 minutes; each test has target sets of its own, each database a sorted set of its own
 * (HarvesterRuntime).
 */
@HarvesterDaemon(scope = HarvesterDaemon.Scope.METHOD)
class DelayedTasksTest {

    DaemonScope daemons;
    @TempDir
    Path work;
    HarvesterRuntime harvester;

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Target sets' prefix. */
    private final String p = "delayed" + System.nanoTime() + "_";
    private final TestClock clock = new TestClock(T0);
    /** What the "workers" took from the target sets, in order: a task released twice shows up twice. */
    private final List<String> taken = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    private HarvesterRuntime daemon(Path dir) {
        HarvesterRuntime daemon = daemons.start(dir, "[]", Map.of("harvester.dispatch.delay-threshold", "10m",
                "harvester.dispatch.delay-scan-interval", "1m"));
        delayed(daemon).setClock(clock);
        return daemon;
    }

    private void start() {
        harvester = daemon(work);
    }

    private static DelayedTasks delayed(HarvesterRuntime daemon) {
        return daemon.context().getRegistry().lookupByNameAndType("delayedTasks", DelayedTasks.class);
    }

    private DelayedTasks delayed() {
        return delayed(harvester);
    }

    private RedissonClient redis() {
        return harvester.context().getRegistry().lookupByNameAndType("redisson", RedissonClient.class);
    }

    private String key() {
        return property("harvester.dispatch.delay-key");
    }

    private String property(String name) {
        return harvester.context().getPropertiesComponent().resolveProperty(name).orElseThrow();
    }

    /** POST /api/tasks/delayed: "status body". */
    private String post(String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + harvester.port() + "/api/tasks/delayed"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    private static String task(String set, String element, Instant due) {
        return "{\"set\": \"" + set + "\", \"element\": \"" + element + "\", \"due\": \"" + due + "\"}";
    }

    /** The sorted set as "set/element@due", in score order. */
    private List<String> waiting() {
        List<String> members = new ArrayList<>();
        for (ScoredEntry<String> entry : redis().<String>getScoredSortedSet(key(), StringCodec.INSTANCE).entryRange(0, -1)) {
            try {
                Map<?, ?> task = JSON.readValue(entry.getValue(), Map.class);
                members.add(task.get("set").toString().substring(p.length()) + "/" + task.get("element") + "@"
                        + Instant.ofEpochMilli(entry.getScore().longValue()));
            } catch (Exception e) {
                throw new IllegalStateException(entry.getValue(), e);
            }
        }
        return members;
    }

    /** Table delayed_tasks as "set/element@due", by due time. */
    private List<String> stored() {
        return harvester.query("select target_set, element, due_at from delayed_tasks order by due_at, id").stream()
                .map(r -> ((String) r.get("target_set")).substring(p.length()) + "/" + r.get("element") + "@"
                        + ((java.sql.Timestamp) r.get("due_at")).toInstant())
                .toList();
    }

    /** Empties the target sets as workers would, remembering what they held. */
    private void take(String... sets) {
        for (String set : sets) {
            for (String element : new TreeSet<>(redis().<String>getSet(p + set, StringCodec.INSTANCE).readAll())) {
                if (redis().<String>getSet(p + set, StringCodec.INSTANCE).remove(element)) {
                    taken.add(set + "/" + element);
                }
            }
        }
    }

    /** At {@code at} a release adds {@code count} elements and the next adds none; workers take them from {@code sets}. */
    private void releaseOnce(Instant at, long count, String... sets) {
        clock.set(at);
        assertThat(delayed().release()).as("released at %s", at).isEqualTo(count);
        take(sets);
        assertThat(delayed().release()).as("released again at %s", at).isZero();
        take(sets);
    }

    private Set<String> bookkeeping() {
        Set<String> left = new TreeSet<>(redis().<String>getSet(key() + ":promoting", StringCodec.INSTANCE).readAll());
        left.addAll(redis().<String>getSet(key() + ":released", StringCodec.INSTANCE).readAll());
        return left;
    }

    @Test
    void should_keep_tasks_due_within_the_threshold_in_redis_and_later_ones_in_postgres() throws Exception {
        start();
        String answer = post("[" + task(p + "a", "near", T0.plus(Duration.ofMinutes(5))) + ","
                + task(p + "a", "overdue", T0.minusSeconds(60)) + ","
                + task(p + "b", "'); drop table delayed_tasks; --", T0.plus(Duration.ofHours(2))) + ","
                + "{\"set\": \"" + p + "a\", \"element\": {\"keyword\": \"shoe\", \"hour\": 4}, \"due\": " + T0.plusSeconds(599).toEpochMilli() + "},"
                + task(p + "b", "at the threshold", T0.plus(Duration.ofMinutes(10))) + "]", HarvesterRuntime.API_TOKEN);

        assertThat(answer).isEqualTo("202 {\"accepted\":5,\"redis\":3,\"postgres\":2}");
        assertThat(waiting()).containsExactly("a/overdue@2029-12-31T23:59:00Z", "a/near@2030-01-01T00:05:00Z",
                "a/{\"keyword\":\"shoe\",\"hour\":4}@2030-01-01T00:09:59Z");
        assertThat(stored()).containsExactly("b/at the threshold@2030-01-01T00:10:00Z",
                "b/'); drop table delayed_tasks; --@2030-01-01T02:00:00Z");
    }

    @Test
    void should_move_a_later_task_into_redis_once_when_it_comes_within_the_threshold() {
        start();
        delayed().accept(List.of(new DelayedTask(p + "a", "later", T0.plus(Duration.ofHours(2)))));

        clock.set(T0.plus(Duration.ofMinutes(110)));
        assertThat(delayed().promote()).isZero();
        assertThat(stored()).containsExactly("a/later@2030-01-01T02:00:00Z");
        assertThat(waiting()).isEmpty();

        clock.set(T0.plus(Duration.ofMinutes(111)));
        assertThat(delayed().promote()).isEqualTo(1);
        assertThat(delayed().promote()).isZero();
        assertThat(stored()).isEmpty();
        assertThat(waiting()).containsExactly("a/later@2030-01-01T02:00:00Z");
        assertThat(bookkeeping()).isEmpty();
    }

    @Test
    void should_release_a_task_at_its_time_not_before_and_only_once() {
        start();
        Instant due = T0.plus(Duration.ofMinutes(5));
        // equal tasks stay two tasks; a task whose target is not a set is put aside, the others go on
        redis().getBucket(p + "string", StringCodec.INSTANCE).set("not a set");
        delayed().accept(List.of(new DelayedTask(p + "a", "e1", due), new DelayedTask(p + "a", "e1", due),
                new DelayedTask(p + "a", "e2", due), new DelayedTask(p + "string", "e3", due)));

        releaseOnce(due.minusMillis(1), 0, "a");
        assertThat(taken).isEmpty();

        // a Redis that lost its scripts (restarted, flushed) is sent them again
        redis().getScript().scriptFlush();
        releaseOnce(due, 3, "a");
        assertThat(taken).containsExactly("a/e1", "a/e2");
        assertThat(waiting()).isEmpty();
        assertThat(redis().<String>getScoredSortedSet(key() + ":failed", StringCodec.INSTANCE).readAll()).singleElement()
                .asString().contains("\"element\":\"e3\"");
        assertThat(redis().getBucket(p + "string", StringCodec.INSTANCE).get()).isEqualTo("not a set");
    }

    /**
     * A move that dies after Redis took its members leaves its rows. Moved again, a member still waiting
     * stays one member, and one released in between is not added again.
     */
    @Test
    void should_release_each_task_once_when_a_move_is_repeated_after_a_crash() {
        start();
        Instant first = T0.plus(Duration.ofHours(1));
        Instant second = first.plus(Duration.ofMinutes(3));
        delayed().accept(List.of(new DelayedTask(p + "a", "first", first), new DelayedTask(p + "a", "second", second)));
        harvester.execute("""
                create function refuse_delete() returns trigger language plpgsql as $$
                begin raise exception 'the move dies before its commit'; end $$;
                create trigger crash before delete on delayed_tasks execute function refuse_delete()""");

        clock.set(first.minus(Duration.ofMinutes(5)));
        assertThatThrownBy(() -> delayed().promote()).hasStackTraceContaining("the move dies before its commit");
        assertThatThrownBy(() -> delayed().promote()).hasStackTraceContaining("the move dies before its commit");
        assertThat(stored()).containsExactly("a/first@2030-01-01T01:00:00Z", "a/second@2030-01-01T01:03:00Z");
        assertThat(waiting()).containsExactly("a/first@2030-01-01T01:00:00Z", "a/second@2030-01-01T01:03:00Z");

        releaseOnce(first, 1, "a");
        harvester.execute("drop trigger crash on delayed_tasks");
        assertThat(delayed().promote()).isEqualTo(2);
        assertThat(stored()).isEmpty();
        assertThat(waiting()).containsExactly("a/second@2030-01-01T01:03:00Z");
        assertThat(bookkeeping()).isEmpty();

        releaseOnce(second.minusMillis(1), 0, "a");
        releaseOnce(second, 1, "a");
        assertThat(taken).containsExactly("a/first", "a/second");
    }

    @Test
    void should_release_waiting_tasks_once_after_a_restart() {
        start();
        delayed().accept(List.of(new DelayedTask(p + "a", "near", T0.plus(Duration.ofMinutes(5))),
                new DelayedTask(p + "a", "soon", T0.plus(Duration.ofMinutes(30))),
                new DelayedTask(p + "b", "later", T0.plus(Duration.ofHours(2)))));
        clock.set(T0.plus(Duration.ofMinutes(25)));
        assertThat(delayed().promote()).isEqualTo(1);
        harvester.close();

        harvester = daemon(work.resolve("restarted"));
        assertThat(waiting()).containsExactly("a/near@2030-01-01T00:05:00Z", "a/soon@2030-01-01T00:30:00Z");
        assertThat(stored()).containsExactly("b/later@2030-01-01T02:00:00Z");
        releaseOnce(T0.plus(Duration.ofMinutes(25)), 1, "a", "b");
        clock.set(T0.plus(Duration.ofMinutes(30)));
        assertThat(delayed().promote()).isZero();
        releaseOnce(T0.plus(Duration.ofMinutes(30)), 1, "a", "b");
        clock.set(T0.plus(Duration.ofMinutes(115)));
        assertThat(delayed().promote()).isEqualTo(1);
        releaseOnce(T0.plus(Duration.ofMinutes(115)), 0, "a", "b");
        releaseOnce(T0.plus(Duration.ofHours(2)), 1, "a", "b");
        assertThat(delayed().promote()).isZero();

        assertThat(taken).containsExactly("a/near", "a/soon", "b/later");
        assertThat(stored()).isEmpty();
        assertThat(waiting()).isEmpty();
    }

    @Test
    void should_refuse_a_malformed_request_naming_the_field_and_store_nothing() throws Exception {
        start();
        String good = task(p + "a", "fine", T0.plus(Duration.ofHours(2)));
        assertThat(post(good, null)).isEqualTo("401 {\"error\":\"missing API token: send Authorization: Bearer <token>\"}");
        assertThat(post(good, "wrong")).isEqualTo("401 {\"error\":\"wrong API token\"}");
        assertThat(post("[" + good + ", {\"set\": \"" + p + "a\", \"element\": \"x\", \"due\": \"tomorrow\"}]", HarvesterRuntime.API_TOKEN))
                .isEqualTo("400 {\"error\":\"due 'tomorrow' is not an ISO-8601 instant with offset (2026-03-21T10:00:00Z) or epoch"
                        + " milliseconds\",\"field\":\"[1].due\"}");
        assertThat(post("[{\"set\": \"\", \"element\": \"x\", \"due\": 0}, " + good + "]", HarvesterRuntime.API_TOKEN))
                .isEqualTo("400 {\"error\":\"set is required: the name of a Redis set, a non-empty string\",\"field\":\"[0].set\"}");
        assertThat(post("{\"set\": \"" + key() + "\", \"element\": \"x\", \"due\": 0}", HarvesterRuntime.API_TOKEN))
                .isEqualTo("400 {\"error\":\"set '" + key() + "' is one of Harvester's own keys: " + key()
                        + "… (harvester.dispatch.delay-key)\",\"field\":\"set\"}");
        String states = property("harvester.status.key-prefix") + "states";
        assertThat(post("{\"set\": \"" + states + "\", \"element\": \"x\", \"due\": 0}", HarvesterRuntime.API_TOKEN))
                .isEqualTo("400 {\"error\":\"set '" + states + "' is one of Harvester's own keys: "
                        + property("harvester.status.key-prefix") + "… (harvester.status.key-prefix)\",\"field\":\"set\"}");
        assertThat(post("[" + good + ", {\"sett\": \"" + p + "a\", \"element\": \"x\", \"due\": 0}]", HarvesterRuntime.API_TOKEN))
                .isEqualTo("400 {\"error\":\"unknown field sett: a delayed task has set, element and due\",\"field\":\"[1].sett\"}");
        assertThat(post("[" + good + ",", HarvesterRuntime.API_TOKEN)).startsWith("400 {\"error\":\"not JSON at line 1, column ")
                .endsWith("\"field\":\"body\"}");
        assertThat(stored()).isEmpty();
        assertThat(waiting()).isEmpty();
    }

    /** The routes' own timers (every instance runs them) move and release on the real clock. */
    @Test
    void should_move_and_release_on_its_timers() {
        harvester = daemons.start(work, "[]", Map.of("harvester.dispatch.delay-timers", "true",
                "harvester.dispatch.delay-threshold", "2s", "harvester.dispatch.delay-scan-interval", "500ms",
                "harvester.dispatch.delay-release-interval", "100ms"));
        Instant now = Instant.now();
        DelayedTasks.Accepted accepted = delayed().accept(List.of(new DelayedTask(p + "a", "near", now.plusMillis(300)),
                new DelayedTask(p + "a", "later", now.plusSeconds(4))));
        assertThat(accepted).isEqualTo(new DelayedTasks.Accepted(1, 1));

        await().atMost(Duration.ofSeconds(30)).until(() -> redis().getSet(p + "a").size() == 2);
        assertThat(Instant.now()).isAfterOrEqualTo(now.plusSeconds(4));
        assertThat(stored()).isEmpty();
        assertThat(waiting()).isEmpty();
    }

    /**
     * Two daemons on one database and one Redis, each moving and releasing twice at once at every step of
     * the clock, in small chunks: every task comes out exactly once, never before its time, and never
     * later than the step of its time.
     */
    @Test
    void should_release_every_task_exactly_once_with_two_instances_at_work_at_once() throws Exception {
        Map<String, String> small = Map.of("harvester.dispatch.delay-threshold", "10m", "harvester.dispatch.delay-scan-interval",
                "1m", "harvester.dispatch.chunk-size", "7");
        harvester = daemons.start(work.resolve("one"), "[]", small);
        try (HarvesterRuntime other = daemons.start(work.resolve("two"), "[]", small)) {
            delayed().setClock(clock);
            delayed(other).setClock(clock);
            int count = 600;
            List<String> sets = List.of("s0", "s1", "s2", "s3", "s4");
            List<DelayedTask> tasks = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                // due from 1 minute before T0 to 3 hours after, in no order, two tasks at each time
                tasks.add(new DelayedTask(p + sets.get(i % 5), "task-" + i, T0.plusSeconds(-60 + (i / 2 * 37L) % 10_860)));
            }
            DelayedTasks.Accepted first = delayed().accept(tasks.subList(0, count / 2));
            DelayedTasks.Accepted second = delayed(other).accept(tasks.subList(count / 2, count));
            assertThat(first.redis() + second.redis()).isEqualTo(tasks.stream().filter(t -> t.due().isBefore(T0.plusSeconds(600))).count());

            List<DelayedTasks> instances = List.of(delayed(), delayed(other));
            long moved = 0;
            long released = 0;
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                for (Instant at = T0; !at.isAfter(T0.plus(Duration.ofHours(3))); at = at.plus(Duration.ofMinutes(2))) {
                    clock.set(at);
                    List<Callable<Long>> moves = new ArrayList<>();
                    List<Callable<Long>> releases = new ArrayList<>();
                    for (DelayedTasks instance : instances) {
                        for (int twice = 0; twice < 2; twice++) {
                            moves.add(() -> (long) instance.promote());
                            releases.add(instance::release);
                        }
                    }
                    List<Callable<Long>> all = new ArrayList<>(moves);
                    all.addAll(releases);
                    List<Future<Long>> done = pool.invokeAll(all);
                    for (int i = 0; i < done.size(); i++) {
                        if (i < moves.size()) {
                            moved += done.get(i).get();
                        } else {
                            released += done.get(i).get();
                        }
                    }
                    take(sets.toArray(String[]::new));
                    Instant now = at;
                    assertThat(taken).as("at %s", at).containsExactlyInAnyOrderElementsOf(tasks.stream()
                            .filter(t -> !t.due().isAfter(now)).map(t -> t.set().substring(p.length()) + "/" + t.element()).toList());
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(released).isEqualTo(count);
            assertThat(moved).isEqualTo(count - first.redis() - second.redis());
            assertThat(taken).hasSize(count).doesNotHaveDuplicates();
            assertThat(stored()).isEmpty();
            assertThat(waiting()).isEmpty();
            assertThat(bookkeeping()).isEmpty();
        }
    }

}
