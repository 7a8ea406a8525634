package io.harvester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.support.DaemonProcess;
import io.harvester.support.JobYaml;
import org.junit.jupiter.api.Test;

/**
 * A Harvester process killed with {@code kill -9} in the middle of a job step leaves its run
 * {@code running}; another process's sweep ends it {@code abandoned}, naming the instance silent, and the
 * failure policy then applies: one skipped tick, then a run that resumes at the step the dead one did not
 * complete.
 */
class JobZombieIT {

    private static final String JOB = JobYaml.job("zombie",
            "s1", "insert into zombie.job_effects (step) values ('s1')",
            "s2", "insert into zombie.job_effects (step) select 's2' from zombie.job_switch where pg_sleep(sleep) is not null",
            "s3", "insert into zombie.job_effects (step) values ('s3')");
    private static final String TOKEN = "zombie-test-token";
    private static final String[] FAST = {"-Dharvester.jobs.zombie.cron=*/2 * * * * ?", "-Dharvester.jobs.zombie.stuck-after=3s",
            "-Dharvester.runs.heartbeat-interval-ms=500", "-Dharvester.runs.stale-after-ms=3000"};

    @Test
    void should_end_a_killed_process_run_and_resume_it_after_one_skipped_tick() throws Exception {
        try (DaemonProcess first = DaemonProcess.prepare().prod().env("HARVESTER_INSTANCE_ID", "node-a")
                .routes("jobs.camel.yaml", JOB)) {
            // a schema of its own: Flyway migrates only an empty public schema
            first.execute("""
                    create schema zombie;
                    create table zombie.job_effects (step text not null);
                    create table zombie.job_switch (sleep float8 not null);
                    insert into zombie.job_switch values (600)""");
            first.start(FAST);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> !first.query("select 1 from run_steps"
                    + " where run_id = 1 and name = 's2' and status = 'running'").isEmpty());
            first.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            assertThat(first.query("select status from runs where id = 1")).containsExactly(Map.of("status", "running"));
            await().atMost(Duration.ofSeconds(20)).until(() -> !first.query("select 1 from runs where id = 1"
                    + " and heartbeat_at < now() - interval '3500 milliseconds'").isEmpty());
            first.execute("update zombie.job_switch set sleep = 0");
            long before = (Long) first.query("select max(id) as id from runs").get(0).get("id");

            try (DaemonProcess second = DaemonProcess.prepare().prod(first.dbUrl()).env("HARVESTER_INSTANCE_ID", "node-b")
                    .routes("jobs.camel.yaml", JOB)) {
                second.start(FAST);
                await().atMost(Duration.ofSeconds(60)).until(() -> !second.query("select 1 from runs where id > " + before
                        + " and status = 'completed'").isEmpty());

                Map<String, Object> dead = second.query("select status, error from runs where id = 1").get(0);
                assertThat(dead.get("status")).isEqualTo("abandoned");
                assertThat(dead.get("error")).isEqualTo("abandoned: instance node-a silent since " + second.query("select"
                        + " to_char(heartbeat_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') as t from instances where id = 'node-a'")
                        .get(0).get("t") + " UTC");
                // the run model's own row of its end (node-a's log lines of the run have extra = {"logger"})
                assertThat(second.query("select level, message = '" + dead.get("error") + "' as same from run_logs"
                        + " where extra is null and run_id = 1"))
                        .containsExactly(Map.of("level", "ERROR", "same", true));
                assertThat(second.query("select name, status from run_steps where run_id = 1 order by ordinal")).containsExactly(
                        Map.of("name", "s1", "status", "completed"), Map.of("name", "s2", "status", "cancelled"),
                        Map.of("name", "s3", "status", "pending"));

                List<Map<String, Object>> after = second.query("select id, status, error, blocked_by, resumed_from, owner"
                        + " from runs where id > " + before + " order by id");
                assertThat(after.get(0)).containsEntry("status", "skipped").containsEntry("blocked_by", 1L)
                        .containsEntry("error", "skipped: previous run 1 abandoned; skipping once").containsEntry("owner", "node-b");
                assertThat(after.get(1)).containsEntry("status", "completed").containsEntry("resumed_from", 1L);
                assertThat(second.query("select name, status, attempt from run_steps where run_id = " + after.get(1).get("id")
                        + " order by ordinal")).containsExactly(
                        Map.of("name", "s1", "status", "skipped", "attempt", 1),
                        Map.of("name", "s2", "status", "completed", "attempt", 2),
                        Map.of("name", "s3", "status", "completed", "attempt", 1));
                // more ticks run the whole job again; the dead run's s2 never committed, the resumed run did not redo s1
                second.process().destroy();
                assertThat(second.exitCodeWithin(60)).isNotNull();
                long later = (Long) second.query("select count(*) as n from runs where id > " + after.get(1).get("id")
                        + " and status = 'completed'").get(0).get("n");
                assertThat(second.query("select step, count(*) as n from zombie.job_effects group by step order by step"))
                        .containsExactly(Map.of("step", "s1", "n", 1 + later), Map.of("step", "s2", "n", 1 + later),
                                Map.of("step", "s3", "n", 1 + later));
            }
        }
    }

    @Test
    void should_abandon_the_run_of_a_killed_instance_while_another_one_runs_on() throws Exception {
        String job = JobYaml.job("lone",
                "s1", "insert into lone.job_effects (step) values ('s1')",
                "s2", "insert into lone.job_effects (step) select 's2' from pg_sleep(600)");
        // stuck-after well under stale-after: the killed instance's own beat is younger than stale-after
        // the killed instance's statements are ended once it has been silent for stale-after (5 s here)
        String[] options = {"-Dharvester.jobs.lone.cron=", "-Dharvester.jobs.lone.stuck-after=3s",
                "-Dharvester.runs.heartbeat-interval-ms=500", "-Dharvester.runs.stale-after-ms=5000"};
        try (DaemonProcess a = DaemonProcess.prepare().prod().env("HARVESTER_INSTANCE_ID", "node-a")
                .env("HARVESTER_API_TOKEN", TOKEN).routes("jobs.camel.yaml", job)) {
            a.execute("create schema lone; create table lone.job_effects (step text not null)");
            try (DaemonProcess b = DaemonProcess.prepare().prod(a.dbUrl()).env("HARVESTER_INSTANCE_ID", "node-b")
                    .env("HARVESTER_API_TOKEN", TOKEN).routes("jobs.camel.yaml", job)) {
                a.start(options);
                b.start(options);
                await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> a.query("select id from instances"
                        + " where heartbeat_at > now() - interval '2 seconds' order by id").size() == 2);
                a.awaitHealthy(Duration.ofSeconds(90));
                b.awaitHealthy(Duration.ofSeconds(90));
                long id = startOn(a, "job:lone");
                await().atMost(Duration.ofSeconds(30)).until(() -> !a.query("select 1 from run_steps where run_id = " + id
                        + " and name = 's2' and status = 'running'").isEmpty());

                a.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(30)).until(() -> b.query("select 1 from runs where id = " + id
                        + " and status in ('pending', 'running')").isEmpty());

                String silentSince = (String) b.query("select to_char(heartbeat_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
                        + " as t from instances where id = 'node-a'").get(0).get("t");
                String error = "abandoned: instance node-a silent since " + silentSince + " UTC";
                assertThat(b.query("select status, error from runs where id = " + id))
                        .containsExactly(Map.of("status", "abandoned", "error", error));
                assertThat(b.query("select level, message from run_logs where extra is null and run_id = " + id))
                        .containsExactly(Map.of("level", "ERROR", "message", error));
                assertThat(b.query("select name, status from run_steps where run_id = " + id + " order by ordinal"))
                        .containsExactly(Map.of("name", "s1", "status", "completed"), Map.of("name", "s2", "status", "cancelled"));
                assertThat(b.query("select 1 from instances where id = 'node-b' and heartbeat_at > now() - interval '2 seconds'"))
                        .as("the other instance beats on").hasSize(1);
                // the statement the killed process left running is ended, so its step never commits
                await().atMost(Duration.ofSeconds(30)).until(() -> b.query("select 1 from pg_stat_activity"
                        + " where query like '%pg_sleep(600)%' and pid <> pg_backend_pid()").isEmpty());
                assertThat(b.query("select step from lone.job_effects")).containsExactly(Map.of("step", "s1"));
            }
        }
    }

    /** POST /api/runs to one daemon (the run is that daemon's): the run's id. */
    private static long startOn(DaemonProcess daemon, String pipeline) throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + daemon.port() + "/api/runs"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"pipeline\": \"" + pipeline + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        return new ObjectMapper().readTree(answer.body()).path("id").asLong();
    }
}
