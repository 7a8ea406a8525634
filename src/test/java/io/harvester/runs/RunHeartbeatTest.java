package io.harvester.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.harvester.infra.InstanceId;
import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.runs.TriggerKind;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** Live runs of an instance that stopped beating are abandoned and free their pipeline; live runs of a beating one are kept. */
@HarvesterDaemon(scope = HarvesterDaemon.Scope.METHOD)
class RunHeartbeatTest {

    DaemonScope daemons;
    HarvesterRuntime harvester;
    @AutoClose
    FakeUpstream upstream;

    @Test
    void should_abandon_runs_of_a_dead_instance_keep_those_of_a_live_one_and_beat_for_its_own() {
        upstream = FakeUpstream.start().total(10).latencyMs(1500);
        harvester = daemons.start(ExportYaml.exports()
                .export("orphaned", upstream.url("/orders"), Map.of("pageSize", "100"))
                .export("shared", upstream.url("/orders"), Map.of("pageSize", "100"))
                .export("slow", upstream.url("/orders"), Map.of("pageSize", "100"))
                .yaml(), Map.of("harvester.runs.heartbeat-interval-ms", "200", "harvester.runs.stale-after-ms", "60000"));
        // an instance that died an hour ago (its container was recreated under another host name),
        // and one that is alive and running an export of its own
        harvester.execute("""
                insert into runs (pipeline, status, trigger, started_at, heartbeat_at, owner) values
                  ('export:orphaned', 'running', 'schedule', '2026-03-21 09:00:00+00', '2026-03-21 10:00:00+00', 'old-container:/app'),
                  ('export:shared', 'running', 'schedule', now() - interval '1 hour', now() - interval '5 seconds', 'other-node:/app')""");

        await().atMost(Duration.ofSeconds(10)).until(() ->
                !harvester.query("select 1 from runs where pipeline = 'export:orphaned' and status = 'abandoned'").isEmpty());

        Map<String, Object> orphaned = harvester.query("select error from runs where pipeline = 'export:orphaned'").get(0);
        // no row of its own in instances: its run's last beat is the last sign of it
        assertThat(orphaned.get("error")).isEqualTo("abandoned: instance old-container:/app silent since 2026-03-21 10:00:00 UTC");
        assertThat(harvester.query("select r.level, r.message = x.error as same from run_logs r join runs x on x.id = r.run_id"
                + " where x.pipeline = 'export:orphaned'")).containsExactly(Map.of("level", "ERROR", "same", true));
        harvester.runNow("export:orphaned");
        // a cron tick that finds the live run of the other instance is recorded as skipped
        harvester.fire("export:shared", TriggerKind.SCHEDULE, Map.of());
        assertThat(harvester.query("select pipeline, status from runs where id > 2 order by id")).containsExactly(
                Map.of("pipeline", "export:orphaned", "status", "completed"),
                Map.of("pipeline", "export:shared", "status", "skipped"));

        // our own live run keeps beating while a page takes 1.5 s
        Thread slow = new Thread(() -> harvester.runNow("export:slow"));
        slow.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> !harvester.query(
                "select 1 from runs where pipeline = 'export:slow' and status = 'running'"
                        + " and heartbeat_at > started_at + interval '300 milliseconds'").isEmpty());
        await().atMost(Duration.ofSeconds(10)).until(() -> !slow.isAlive());
        List<Map<String, Object>> slowRuns = harvester.query("select status from runs where pipeline = 'export:slow'");
        assertThat(slowRuns).containsExactly(Map.of("status", "completed"));
    }

    @Test
    void should_abandon_a_run_whose_instance_went_silent_with_it_however_short_the_run_threshold() {
        harvester = daemons.start("[]", Map.of("harvester.runs.heartbeat-interval-ms", "200",
                "harvester.runs.stale-after-ms", "300000"));
        // a job's stuck-after of 3 s; its instance was killed with it 10 s ago, well within stale-after
        harvester.context().getRegistry().lookupByNameAndType("runHeartbeat", RunHeartbeat.class)
                .setThresholds(() -> Map.of("job:killed", 3000L, "job:stalled", 3000L));
        // and a run row of this very instance that no thread here works on: it goes silent while its instance beats
        String self = harvester.context().getRegistry().lookupByNameAndType("harvesterInstanceId", String.class);
        harvester.execute("""
                insert into instances (id, heartbeat_at) values ('killed-node', now() - interval '10 seconds');
                insert into runs (pipeline, status, trigger, started_at, heartbeat_at, owner) values
                  ('job:killed', 'running', 'schedule', now() - interval '1 minute', now() - interval '10 seconds', 'killed-node'),
                  ('job:stalled', 'running', 'schedule', now() - interval '1 minute', now() - interval '10 seconds', '""" + self + "')");
        String lastBeat = (String) harvester.query("select to_char(heartbeat_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') as t"
                + " from instances where id = 'killed-node'").get(0).get("t");

        await().atMost(Duration.ofSeconds(10)).until(() -> harvester.query(
                "select 1 from runs where pipeline like 'job:%' and status in ('pending', 'running')").isEmpty());

        assertThat(harvester.query("select pipeline, status, error from runs where pipeline like 'job:%' order by pipeline"))
                .extracting(r -> r.get("pipeline") + " " + r.get("status") + ": " + r.get("error")).containsExactly(
                        "job:killed abandoned: abandoned: instance killed-node silent since " + lastBeat + " UTC",
                        "job:stalled failed: failed: no heartbeat since " + harvester.query("select to_char(heartbeat_at at time"
                                + " zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') as t from runs where pipeline = 'job:stalled'").get(0).get("t")
                                + " UTC from instance " + self + ", which is alive but no longer works on it");
    }

    @Test
    void should_abandon_the_run_of_a_late_instance_but_terminate_backends_only_of_one_silent_for_stale_after() {
        harvester = daemons.start("[]", Map.of("harvester.runs.heartbeat-interval-ms", "200",
                "harvester.runs.stale-after-ms", "300000"));
        harvester.context().getRegistry().lookupByNameAndType("runHeartbeat", RunHeartbeat.class)
                .setThresholds(() -> Map.of("job:late", 3000L, "job:gone", 3000L));
        // late-node's beat is 10 s late (past the job's stuck-after, within stale-after): alive, with other work;
        // gone-node has been silent for 10 minutes, longer than stale-after
        harvester.execute("""
                insert into instances (id, heartbeat_at) values
                  ('late-node', now() - interval '10 seconds'), ('gone-node', now() - interval '10 minutes');
                insert into runs (pipeline, status, trigger, started_at, heartbeat_at, owner) values
                  ('job:late', 'running', 'schedule', now() - interval '1 minute', now() - interval '10 seconds', 'late-node'),
                  ('job:gone', 'running', 'schedule', now() - interval '1 hour', now() - interval '10 minutes', 'gone-node')""");
        Thread lateWork = backend("late-node");
        Thread goneWork = backend("gone-node");
        await().atMost(Duration.ofSeconds(10)).until(() -> busyBackends().size() == 2);

        await().atMost(Duration.ofSeconds(10)).until(() -> !goneWork.isAlive());

        assertThat(harvester.query("select pipeline, status from runs order by pipeline")).containsExactly(
                Map.of("pipeline", "job:gone", "status", "abandoned"), Map.of("pipeline", "job:late", "status", "abandoned"));
        assertThat((String) harvester.query("select error from runs where pipeline = 'job:late'").get(0).get("error"))
                .startsWith("abandoned: instance late-node silent since ");
        assertThat(busyBackends()).as("the late instance's other statement runs on").containsExactly(
                InstanceId.applicationName("late-node"));
        harvester.query("select pg_cancel_backend(pid) from pg_stat_activity where application_name = '"
                + InstanceId.applicationName("late-node") + "'");
        await().atMost(Duration.ofSeconds(10)).until(() -> !lateWork.isAlive());
    }

    /** A statement of an instance's pool on the database, as its application_name shows it: a minute's sleep. */
    private Thread backend(String instance) {
        Thread work = new Thread(() -> {
            try {
                harvester.execute("set application_name = '" + InstanceId.applicationName(instance) + "'; select pg_sleep(60)");
            } catch (IllegalStateException ended) {
                // terminated or cancelled: what the test looks at is pg_stat_activity
            }
        });
        work.start();
        return work;
    }

    private List<Object> busyBackends() {
        return harvester.query("select application_name from pg_stat_activity where application_name like 'harvester %-node'"
                + " and state = 'active' order by application_name").stream().map(r -> r.get("application_name")).toList();
    }
}
