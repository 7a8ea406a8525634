package io.harvester.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import io.harvester.runs.RunLifecycle;
import io.harvester.runs.RunRepository;
import io.harvester.support.DaemonScope;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.RecordingProxies;
import io.harvester.runs.TriggerKind;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.redisson.api.RBatch;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/** The minute sweep on real PostgreSQL and Redis: exact status transitions, sizes and flags. */
@HarvesterDaemon(scope = HarvesterDaemon.Scope.METHOD)
class TaskSweepTest {

    DaemonScope daemons;
    HarvesterRuntime harvester;

    @Test
    void should_start_due_tasks_complete_drained_sets_and_flag_sets_that_stopped_shrinking() {
        harvester = daemons.start("[]", Map.of());
        String p = "sweep" + System.nanoTime() + "_";
        harvester.execute("""
                insert into task_information (task_type, task_source, task_start_time, task_status, confirmed, last_size, size_changed_at) values
                  ('product_details', '%1$sdue', now() - interval '1 minute', 'Pending', true, null, null),
                  ('product_details', '%1$slater', now() + interval '1 hour', 'Pending', true, null, null),
                  ('product_details', '%1$sunconfirmed', now() - interval '1 minute', 'Pending', false, null, null),
                  ('product_details', '%1$sdrained', now() - interval '2 hours', 'In Progress', true, 4, now() - interval '5 minutes'),
                  ('product_details', '%1$sbusy', now() - interval '2 hours', 'In Progress', true, null, null),
                  ('product_details', '%1$sstuck', now() - interval '5 hours', 'In Progress', true, 2, now() - interval '3 hours')
                """.formatted(p));
        RedissonClient redis = harvester.context().getRegistry().lookupByNameAndType("redisson", RedissonClient.class);
        redis.getSet(p + "due", StringCodec.INSTANCE).add("a");
        redis.getSet(p + "busy", StringCodec.INSTANCE).addAll(List.of("a", "b", "c"));
        redis.getSet(p + "stuck", StringCodec.INSTANCE).addAll(List.of("a", "b"));

        harvester.runNow(TaskSweep.PIPELINE);

        assertThat(harvester.query("select task_source, task_status, last_size from task_information order by task_id"))
                .extracting(r -> ((String) r.get("task_source")).substring(p.length()) + "=" + r.get("task_status") + "/" + r.get("last_size"))
                .containsExactly("due=In Progress/1", "later=Pending/null", "unconfirmed=Pending/null", "drained=Completed/4",
                        "busy=In Progress/3", "stuck=In Progress/2");
        assertThat(harvester.query("select status from runs where pipeline = 'dispatch:sweep'"))
                .containsExactly(Map.of("status", "completed"));
        assertThat(harvester.query("select records, result::text as result from run_steps")).containsExactly(Map.of("records", 2L,
                "result", "{\"stale\": 1, \"started\": 1, \"completed\": 1, \"unwritten\": 0, \"inProgress\": 3}"));
        assertThat(harvester.query("select message from run_logs where level = 'WARN'")).singleElement()
                .extracting(r -> (String) r.get("message")).asString()
                .startsWith("task set " + p + "stuck (2 left, unchanged for ").endsWith(" s): its workers may be stuck");

        // a scheduled minute in which nothing changes and nothing is stale leaves no run
        harvester.execute("update task_information set size_changed_at = now() where task_source = '" + p + "stuck'");
        harvester.fire(TaskSweep.PIPELINE, TriggerKind.SCHEDULE, Map.of());
        assertThat(harvester.query("select count(*) as n from runs where pipeline = 'dispatch:sweep'")).containsExactly(Map.of("n", 1L));
        // a sweep asked for (the API) is a run even when idle, so its caller gets a run id
        harvester.runNow(TaskSweep.PIPELINE);
        assertThat(harvester.query("select trigger, status from runs where pipeline = 'dispatch:sweep' order by id"))
                .containsExactly(Map.of("trigger", "api", "status", "completed"), Map.of("trigger", "api", "status", "completed"));
    }

    @Test
    void should_sweep_10_and_1000_tasks_with_the_same_five_statements_and_one_redis_round() {
        harvester = daemons.start("[]", Map.of());
        List<String> statements = new ArrayList<>();
        List<String> redisCalls = new ArrayList<>();
        DataSource dataSource = harvester.context().getRegistry().lookupByNameAndType("dataSource", DataSource.class);
        String instance = harvester.context().getRegistry().lookupByNameAndType("harvesterInstanceId", String.class);
        // the daemon's own sweep, but on clients that note each statement and each Redis call it makes
        TaskSweep sweep = new TaskSweep(new RunLifecycle(new RunRepository(RecordingProxies.statements(dataSource, statements), instance)),
                RecordingProxies.calls(redis(), redisCalls), Duration.ofHours(2));

        seed(3, 1, 3, 2);
        sweep.sweep(new DefaultExchange(harvester.context()));
        List<String> tenTasks = List.copyOf(statements);
        assertThat(redisCalls).containsExactly("createBatch", "execute");
        assertThat(statusCounts()).isEqualTo("Completed=2, In Progress=7, Pending=1 / sizes 14");
        assertThat(lastSweepResult()).isEqualTo("{\"stale\": 1, \"started\": 3, \"completed\": 2, \"unwritten\": 0, \"inProgress\": 7}");

        statements.clear();
        redisCalls.clear();
        seed(300, 100, 299, 300);
        sweep.sweep(new DefaultExchange(harvester.context()));
        assertThat(redisCalls).containsExactly("createBatch", "execute");
        assertThat(statusCounts()).isEqualTo("Completed=300, In Progress=600, Pending=100 / sizes 1199");
        assertThat(lastSweepResult()).isEqualTo("{\"stale\": 1, \"started\": 300, \"completed\": 300, \"unwritten\": 0, \"inProgress\": 600}");

        assertThat(statements).isEqualTo(tenTasks);
        // the sweep's own: start the due, read the open, complete the drained, record the sizes, look for unwritten sets
        assertThat(tenTasks).filteredOn(sql -> sql.contains("task_information")).hasSize(5);
        // the rest is its run: the row, the step, a log row per stale set flagged (one here, 50 at most), the end
        assertThat(tenTasks).hasSize(9);
    }

    @Test
    void should_have_a_generation_write_the_sets_a_dead_generation_left_and_fail_those_of_a_past_day() {
        harvester = daemons.start("[]", Map.of());
        RedissonClient redis = harvester.context().getRegistry().lookupByNameAndType("redisson", RedissonClient.class);
        harvester.runNow(TaskGeneration.PIPELINE);
        // the dev profile's demo rows: a generation died after the rows of two of today's sets, before their sets
        List<Map<String, Object>> lost = harvester.query("select task_source, elements from task_information order by task_id limit 2");
        lost.forEach(row -> redis.getSet((String) row.get("task_source"), StringCodec.INSTANCE).delete());
        harvester.execute("update task_information set confirmed = false, create_at = now() - interval '5 minutes'"
                + " where task_id in (select task_id from task_information order by task_id limit 2)");
        // and another died on an earlier day: its set is not one of today's
        harvester.execute("insert into task_information (task_type, task_source, task_start_time, elements, confirmed, create_at)"
                + " values ('product_details', 'product_details_86400_0', now() - interval '1 day', 3, false, now() - interval '1 day')");

        harvester.runNow(TaskSweep.PIPELINE);

        await().atMost(Duration.ofSeconds(20)).until(() -> harvester.query(
                "select 1 from runs where pipeline = 'dispatch:generate' and status = 'completed'").size() == 2);
        for (Map<String, Object> row : lost) {
            assertThat(redis.getSet((String) row.get("task_source"), StringCodec.INSTANCE).size())
                    .isEqualTo(((Number) row.get("elements")).intValue());
        }
        assertThat(harvester.query("select task_source, task_status, confirmed from task_information where not confirmed"))
                .containsExactly(Map.of("task_source", "product_details_86400_0", "task_status", "Failed", "confirmed", false));
        assertThat(harvester.query("select result ->> 'unwritten' as unwritten from run_steps s join runs r on r.id = s.run_id"
                + " where r.pipeline = 'dispatch:sweep'")).containsExactly(Map.of("unwritten", "3"));
        assertThat(harvester.query("select r.trigger, l.message from run_logs l join runs r on r.id = l.run_id"
                + " where r.pipeline = 'dispatch:generate' and l.level = 'WARN' and l.message like '%dead generation%'"
                + " or r.pipeline = 'dispatch:generate' and l.message like 'task set product_details_86400_0%' order by l.id"))
                .containsExactly(Map.of("trigger", "schedule", "message", "2 task set(s) a dead generation left unwritten were written now"),
                        Map.of("trigger", "schedule", "message", "task set product_details_86400_0 was never written (its generation"
                                + " died before writing it) and is not one of today's sets: its task is Failed"));
    }

    private RedissonClient redis() {
        return harvester.context().getRegistry().lookupByNameAndType("redisson", RedissonClient.class);
    }

    /**
     * Replaces the tasks with {@code due} Pending ones due now (a set of 1 each), {@code later} Pending ones due in an
     * hour, {@code live} In Progress ones (a set of 3 each), {@code drained} In Progress ones whose set is gone, and
     * one In Progress set of 2 unchanged for 3 hours (stale).
     */
    private void seed(int due, int later, int live, int drained) {
        String p = "sweep" + System.nanoTime() + "_";
        harvester.execute("""
                truncate task_information restart identity;
                insert into task_information (task_type, task_source, task_start_time, task_status, confirmed, last_size, size_changed_at)
                select 'product_details', '%1$sdue' || i, now() - interval '1 minute', 'Pending', true, null::int, null::timestamptz
                from generate_series(1, %2$d) i
                union all select 'product_details', '%1$slater' || i, now() + interval '1 hour', 'Pending', true, null, null
                from generate_series(1, %3$d) i
                union all select 'product_details', '%1$slive' || i, now() - interval '2 hours', 'In Progress', true, null, null
                from generate_series(1, %4$d) i
                union all select 'product_details', '%1$sdrained' || i, now() - interval '2 hours', 'In Progress', true, 4,
                                 now() - interval '5 minutes'
                from generate_series(1, %5$d) i
                union all select 'product_details', '%1$sstuck', now() - interval '5 hours', 'In Progress', true, 2,
                                 now() - interval '3 hours'
                """.formatted(p, due, later, live, drained));
        RBatch sets = redis().createBatch();
        for (int i = 1; i <= due; i++) {
            sets.getSet(p + "due" + i, StringCodec.INSTANCE).addAsync("a");
        }
        for (int i = 1; i <= live; i++) {
            sets.getSet(p + "live" + i, StringCodec.INSTANCE).addAllAsync(List.of("a", "b", "c"));
        }
        sets.getSet(p + "stuck", StringCodec.INSTANCE).addAllAsync(List.of("a", "b"));
        sets.execute();
    }

    /** Tasks by status, and the sum of the set sizes the sweep recorded on the In Progress ones. */
    private String statusCounts() {
        String counts = String.join(", ", harvester.query("select task_status, count(*) as n from task_information"
                + " group by task_status order by task_status").stream().map(r -> r.get("task_status") + "=" + r.get("n")).toList());
        return counts + " / sizes " + harvester.query("select sum(last_size) as s from task_information where task_status = 'In Progress'")
                .get(0).get("s");
    }

    private String lastSweepResult() {
        return (String) harvester.query("select s.result::text as result from run_steps s join runs r on r.id = s.run_id"
                + " where r.pipeline = 'dispatch:sweep' order by r.id desc limit 1").get(0).get("result");
    }
}
