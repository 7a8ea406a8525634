package io.harvester.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.harvester.support.HarvesterRuntime;
import io.harvester.support.PerTestDaemon;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/** The minute sweep on real PostgreSQL and Redis: exact status transitions, sizes and flags. */
class TaskSweepTest extends PerTestDaemon {

    @Test
    void should_start_due_tasks_complete_drained_sets_and_flag_sets_that_stopped_shrinking() {
        harvester = HarvesterRuntime.start(work, "[]", Map.of());
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

        // a minute in which nothing changes and nothing is stale leaves no run
        harvester.execute("update task_information set size_changed_at = now() where task_source = '" + p + "stuck'");
        harvester.runNow(TaskSweep.PIPELINE);
        assertThat(harvester.query("select count(*) as n from runs where pipeline = 'dispatch:sweep'")).containsExactly(Map.of("n", 1L));
    }

    @Test
    void should_have_a_generation_write_the_sets_a_dead_generation_left_and_fail_those_of_a_past_day() {
        harvester = HarvesterRuntime.start(work, "[]", Map.of());
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
}
