package io.harvester.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

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
                "result", "{\"stale\": 1, \"started\": 1, \"completed\": 1, \"inProgress\": 3}"));
        assertThat(harvester.query("select message from run_logs where level = 'WARN'")).singleElement()
                .extracting(r -> (String) r.get("message")).asString()
                .startsWith("task set " + p + "stuck (2 left, unchanged for ").endsWith(" s): its workers may be stuck");

        // a minute in which nothing changes and nothing is stale leaves no run
        harvester.execute("update task_information set size_changed_at = now() where task_source = '" + p + "stuck'");
        harvester.runNow(TaskSweep.PIPELINE);
        assertThat(harvester.query("select count(*) as n from runs where pipeline = 'dispatch:sweep'")).containsExactly(Map.of("n", 1L));
    }
}
