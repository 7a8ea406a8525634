package io.harvester.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream.Answer;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon.Scope;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.LogLines;
import io.harvester.support.TestPorts;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A webhook that fails, is down or is slow costs one WARN per notification and never fails or holds a run. */
@HarvesterDaemon(scope = Scope.METHOD)
class NotifyWebhookFailureTest {

    DaemonScope daemons;
    FakeUpstream hook;
    FakeUpstream broken;
    FakeUpstream upstream;
    LogLines log;

    @BeforeEach
    void start() {
        hook = FakeUpstream.start();
        broken = FakeUpstream.start().always(Answer.status(503));
        upstream = FakeUpstream.start().total(50);
        log = LogLines.capture();
    }

    @AfterEach
    void stop() {
        log.close();
        hook.close();
        broken.close();
        upstream.close();
    }

    private HarvesterRuntime daemon(String webhook) {
        return daemon(webhook, "5000");
    }

    private HarvesterRuntime daemon(String webhook, String timeoutMs) {
        return daemons.start(ExportYaml.exports()
                .export("broken", broken.url("/orders"), Map.of("retries", "0"))
                .export("orders", upstream.url("/orders"), Map.of("pageSize", "50")),
                Map.of("harvester.notify.url", webhook, "harvester.notify.timeout-ms", timeoutMs));
    }

    private List<String> warnings() {
        return log.lines().stream().filter(line -> line.startsWith("WARN Notification")).toList();
    }

    @Test
    void should_end_runs_as_they_would_and_warn_once_per_notification_when_the_webhook_answers_500() {
        hook.always(Answer.status(500));
        HarvesterRuntime harvester = daemon(hook.url("/hook"));
        String webhook = "http://127.0.0.1:" + hook.url("").split(":")[2] + "/…";

        Exchange failed = harvester.runNow("export:broken");
        Exchange completed = harvester.runNow("export:orders");

        assertThat(failed.getException()).isNull();
        assertThat(completed.getException()).isNull();
        assertThat(harvester.query("select status from runs order by id"))
                .containsExactly(Map.of("status", "failed"), Map.of("status", "completed"));
        await().atMost(Duration.ofSeconds(20)).until(() -> warnings().size() >= 1);
        long run = (Long) harvester.onlyRun("export:broken").get("id");
        assertThat(warnings()).containsExactly("WARN Notification of run " + run + " of export:broken (failed) not sent to webhook "
                + webhook + ": HTTP 500 Internal Server Error");
        assertThat(hook.hookBodies()).hasSize(1);
    }

    @Test
    void should_stop_calling_a_failing_webhook_once_its_breaker_opens() {
        hook.always(Answer.status(500));
        HarvesterRuntime harvester = daemon(hook.url("/hook"));

        for (int i = 0; i < 6; i++) {
            harvester.runNow("export:broken");
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> warnings().size() >= 6);
        assertThat(harvester.query("select status from runs")).hasSize(6).containsOnly(Map.of("status", "failed"));
        // the tests' breakers open after 5 calls (camel.resilience4j.minimum-number-of-calls)
        assertThat(hook.hookBodies()).hasSize(5);
        assertThat(warnings()).hasSize(6);
        assertThat(warnings().subList(0, 5)).allSatisfy(line -> assertThat(line).endsWith(": HTTP 500 Internal Server Error"));
        assertThat(warnings().get(5)).endsWith(": circuit breaker is open after repeated failures; calls are not sent until it half-opens");
    }

    @Test
    void should_end_runs_as_they_would_and_warn_when_the_webhook_is_down() {
        int closed = TestPorts.next();
        HarvesterRuntime harvester = daemon("http://127.0.0.1:" + closed + "/hook?token=secret");

        Exchange failed = harvester.runNow("export:broken");

        assertThat(failed.getException()).isNull();
        assertThat(harvester.onlyRun("export:broken").get("status")).isEqualTo("failed");
        await().atMost(Duration.ofSeconds(20)).until(() -> warnings().size() >= 1);
        long run = (Long) harvester.onlyRun("export:broken").get("id");
        assertThat(warnings()).hasSize(1).first().asString()
                .startsWith("WARN Notification of run " + run + " of export:broken (failed) not sent to webhook http://127.0.0.1:"
                        + closed + "/…: the webhook is down: ")
                .doesNotContain("secret");
    }

    @Test
    void should_end_the_run_while_the_webhook_holds_its_answer() {
        CountDownLatch held = new CountDownLatch(1);
        hook.gate(held);
        // the held answer must not time out meanwhile
        HarvesterRuntime harvester = daemon(hook.url("/hook"), "60000");
        try {
            harvester.runNow("export:broken");
            harvester.runNow("export:broken");

            // both runs ended while the webhook still holds the first message's answer
            assertThat(harvester.query("select status from runs")).hasSize(2).containsOnly(Map.of("status", "failed"));
            await().atMost(Duration.ofSeconds(20)).until(() -> hook.hookBodies().size() == 1);
        } finally {
            held.countDown();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> hook.hookBodies().size() == 2);
        assertThat(warnings()).isEmpty();
    }
}
