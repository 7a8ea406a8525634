package io.harvester.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.PerTestDaemon;
import org.junit.jupiter.api.Test;

/** Live runs of an instance that stopped beating are abandoned and free their pipeline; live runs of a beating one are kept. */
class RunHeartbeatTest extends PerTestDaemon {

    @Test
    void should_abandon_runs_of_a_dead_instance_keep_those_of_a_live_one_and_beat_for_its_own() {
        upstream = FakeUpstream.start().total(10).latencyMs(1500);
        harvester = HarvesterRuntime.start(work, ExportYaml.exports()
                .export("orphaned", upstream.url("/orders"), Map.of("pageSize", "100"))
                .export("shared", upstream.url("/orders"), Map.of("pageSize", "100"))
                .export("slow", upstream.url("/orders"), Map.of("pageSize", "100"))
                .yaml(), Map.of("harvester.runs.heartbeat-interval-ms", "200", "harvester.runs.stale-after-ms", "60000"));
        // an instance that died an hour ago (its container was recreated under another host name),
        // and one that is alive and running an export of its own
        harvester.execute("""
                insert into runs (pipeline, status, trigger, started_at, heartbeat_at, owner) values
                  ('export:orphaned', 'running', 'schedule', now() - interval '1 hour', now() - interval '1 hour', 'old-container:/app'),
                  ('export:shared', 'running', 'schedule', now() - interval '1 hour', now() - interval '5 seconds', 'other-node:/app')""");

        await().atMost(Duration.ofSeconds(10)).until(() ->
                !harvester.query("select 1 from runs where pipeline = 'export:orphaned' and status = 'abandoned'").isEmpty());

        Map<String, Object> orphaned = harvester.query("select error from runs where pipeline = 'export:orphaned'").get(0);
        assertThat((String) orphaned.get("error")).startsWith("abandoned: no heartbeat since ")
                .endsWith(" UTC from instance old-container:/app, which is gone");
        assertThat(harvester.query("select r.level, r.message = x.error as same from run_logs r join runs x on x.id = r.run_id"
                + " where x.pipeline = 'export:orphaned'")).containsExactly(Map.of("level", "ERROR", "same", true));
        harvester.runNow("export:orphaned");
        harvester.runNow("export:shared");
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
}
