package io.harvester.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.infra.InstanceId;
import io.harvester.runs.RunHeartbeat;
import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.FakeUpstream.Answer;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.LogLines;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A webhook hears once of every failed, abandoned and taken-over run, and of a pipeline's recovery; quiet pipelines say nothing. */
@HarvesterDaemon
class NotifyWebhookTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static DaemonScope daemons;
    static HarvesterRuntime harvester;
    @AutoClose
    static FakeUpstream hook;
    @AutoClose
    static FakeUpstream flaky;
    @AutoClose
    static FakeUpstream broken;
    @AutoClose
    static FakeUpstream upstream;
    @AutoClose
    static LogLines log;

    @BeforeAll
    static void start() {
        log = LogLines.capture();
        hook = FakeUpstream.start();
        flaky = FakeUpstream.start().total(50);
        broken = FakeUpstream.start().always(Answer.status(503));
        upstream = FakeUpstream.start().total(50);
        harvester = daemons.start(ExportYaml.exports()
                .export("orders", flaky.url("/orders"), Map.of("pageSize", "50", "retries", "0"))
                .export("quiet", broken.url("/orders"), Map.of("retries", "0"))
                .export("loud", broken.url("/orders"), Map.of("retries", "0"))
                .export("adopted", upstream.url("/orders"), Map.of("pageSize", "50")),
                Map.of("harvester.notify.url", hook.url("/hook"),
                        "harvester.notify.quiet-pipelines", "export:other, export:quiet",
                        "harvester.notify.headers", "X-Hook-Token: t0ken",
                        "harvester.cluster.heartbeat", "100ms", "harvester.cluster.lease", "1s"));
    }

    /** The messages the webhook received about {@code pipeline}, in arrival order. */
    private static List<Map<String, Object>> messages(String pipeline) {
        return hook.hookBodies().stream().map(NotifyWebhookTest::parse).filter(m -> pipeline.equals(m.get("pipeline"))).toList();
    }

    private static Map<String, Object> parse(String body) {
        try {
            return JSON.readValue(body, new TypeReference<>() { });
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    private static List<Map<String, Object>> awaitMessages(String pipeline, int count) {
        await().atMost(Duration.ofSeconds(20)).until(() -> messages(pipeline).size() >= count);
        return messages(pipeline);
    }

    /**
     * Records one more event (a failed run of export:loud) and waits for its message: one consumer sends in the order
     * recorded, so a duplicate of any message before it has arrived by then, and counts can be exact.
     */
    private static void sendAnotherAndAwaitIt() {
        int before = messages("export:loud").size();
        harvester.runNow("export:loud");
        awaitMessages("export:loud", before + 1);
    }

    private static Map<String, Object> run(Object id) {
        return harvester.query("select id, status, error, owner from runs where id = " + id).get(0);
    }

    private static List<Map<String, Object>> runs(String pipeline) {
        return harvester.query("select id, status, error, owner from runs where pipeline = '" + pipeline + "' order by id");
    }

    @Test
    void should_send_one_message_per_failed_run_and_one_recovered_when_the_next_run_completes() throws Exception {
        flaky.always(Answer.status(503));
        harvester.runNow("export:orders");
        flaky.always(null);
        harvester.runNow("export:orders");
        // a completed run after a completed run: nothing
        harvester.runNow("export:orders");
        flaky.always(Answer.status(503));
        harvester.runNow("export:orders");

        List<Map<String, Object>> ran = runs("export:orders");
        assertThat(ran).extracting(r -> r.get("status")).containsExactly("failed", "completed", "completed", "failed");
        // one consumer, in recording order: a message for the third run would have come before the fourth's
        awaitMessages("export:orders", 3);
        sendAnotherAndAwaitIt();
        List<Map<String, Object>> messages = messages("export:orders");
        assertThat(messages).extracting(m -> m.get("event")).containsExactly("failed", "recovered", "failed");

        Map<String, Object> first = ran.get(0);
        String error = (String) first.get("error");
        assertThat(error).contains("HTTP 503").hasSizeLessThan(Notification.TEXT_ERROR_LIMIT);
        Map<String, Object> failed = messages.get(0);
        assertThat(failed).containsOnlyKeys("text", "event", "pipeline", "run", "status", "error", "detail", "instance", "at")
                // & < > escaped as Slack reads its text
                .containsEntry("text", "Harvester: export:orders run " + first.get("id") + " failed: " + error.replace("&", "&amp;"))
                .containsEntry("pipeline", "export:orders").containsEntry("run", ((Long) first.get("id")).intValue())
                .containsEntry("status", "failed").containsEntry("error", error).containsEntry("detail", null)
                .containsEntry("instance", InstanceId.get());
        assertThat(Instant.parse((String) failed.get("at"))).isBefore(Instant.now());
        assertThat(messages.get(1)).containsEntry("text", "Harvester: export:orders run " + ran.get(1).get("id")
                        + " recovered (completed after run " + first.get("id") + " failed)")
                .containsEntry("run", ((Long) ran.get(1).get("id")).intValue()).containsEntry("status", "completed")
                .containsEntry("error", null).containsEntry("detail", "after run " + first.get("id") + " failed");
        assertThat(messages.get(2)).containsEntry("run", ((Long) ran.get(3).get("id")).intValue());
        List<Map<String, String>> headers = hook.hookHeaders();
        assertThat(headers).allSatisfy(h -> assertThat(h).containsEntry("x-hook-token", "t0ken")
                .containsEntry("content-type", "application/json; charset=utf-8"));
    }

    @Test
    void should_send_nothing_for_a_quiet_pipeline() {
        int loud = messages("export:loud").size();
        harvester.runNow("export:quiet");
        harvester.runNow("export:loud");

        awaitMessages("export:loud", loud + 1);
        sendAnotherAndAwaitIt();
        assertThat(runs("export:quiet")).extracting(r -> r.get("status")).containsExactly("failed");
        assertThat(messages("export:loud")).hasSize(loud + 2).extracting(m -> m.get("event")).containsOnly("failed");
        assertThat(messages("export:quiet")).isEmpty();
        // a quiet name no route runs is most likely misspelt
        assertThat(log.containing("harvester.notify.quiet-pipelines names")).singleElement().asString()
                .contains("harvester.notify.quiet-pipelines names export:other, which no route runs (did you mean 'export:orders'?):"
                        + " its messages are not held back");
    }

    @Test
    void should_send_one_abandoned_message_for_a_run_the_stale_run_sweep_ends() {
        Object id = harvester.query("insert into runs (pipeline, status, trigger, owner, started_at, heartbeat_at) values"
                + " ('export:vanished', 'running', 'schedule', 'node-gone', now() - interval '1 hour',"
                + " now() - interval '1 hour') returning id").get(0).get("id");

        harvester.context().getRegistry().lookupByNameAndType("runHeartbeat", RunHeartbeat.class).beat();

        awaitMessages("export:vanished", 1);
        sendAnotherAndAwaitIt();
        List<Map<String, Object>> messages = messages("export:vanished");
        Map<String, Object> ended = run(id);
        assertThat(ended.get("status")).isEqualTo("abandoned");
        String error = (String) ended.get("error");
        assertThat(error).startsWith("abandoned: instance node-gone silent since ");
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0)).containsEntry("event", "abandoned").containsEntry("status", "abandoned")
                .containsEntry("error", error).containsEntry("run", ((Long) id).intValue())
                .containsEntry("text", "Harvester: export:vanished run " + id + " abandoned: " + error.substring("abandoned: ".length()));
    }

    @Test
    void should_send_one_taken_over_message_from_the_instance_that_took_the_run_over() {
        harvester.execute("insert into instances (id, host, started_at, heartbeat_at) values"
                + " ('node-dead', 'gone', '2020-01-01T00:00:00Z', '2020-01-01T00:05:00Z')");
        harvester.execute("insert into runs (id, pipeline, status, trigger, params, owner, created_at, started_at)"
                + " values (900001, 'export:adopted', 'running', 'schedule', '{}', 'node-dead', now(), now())");

        await().atMost(Duration.ofSeconds(20)).until(() -> run(900001).get("status").equals("completed"));

        awaitMessages("export:adopted", 1);
        sendAnotherAndAwaitIt();
        List<Map<String, Object>> messages = messages("export:adopted");
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0)).containsEntry("event", "taken-over").containsEntry("run", 900001)
                .containsEntry("status", "running").containsEntry("instance", InstanceId.get())
                .containsEntry("detail", "instance node-dead silent since 2020-01-01 00:05:00 UTC")
                .containsEntry("text", "Harvester: export:adopted run 900001 taken over by instance " + InstanceId.get()
                        + ": instance node-dead silent since 2020-01-01 00:05:00 UTC");
    }
}
