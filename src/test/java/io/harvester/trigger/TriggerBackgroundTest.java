package io.harvester.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import io.harvester.runs.RunRefused;
import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Sending to {@code trigger:<pipeline>?background=true} (what {@code camel cmd send} does) returns while the
 * run is still going on, and the run ends as any manual run; a pipeline not running here is refused at once.
 */
@HarvesterDaemon(scope = HarvesterDaemon.Scope.METHOD)
class TriggerBackgroundTest {

    DaemonScope daemons;
    HarvesterRuntime harvester;
    @AutoClose
    FakeUpstream upstream;

    @Test
    void should_return_while_the_run_goes_on_and_refuse_an_unknown_pipeline() throws Exception {
        CountDownLatch pagesHeld = new CountDownLatch(1);
        upstream = FakeUpstream.start().total(30).gate(pagesHeld);
        harvester = daemons.start(ExportYaml.exports().export("orders", upstream.url("/orders"),
                Map.of("pageSize", "10")).yaml(), Map.of());
        ProducerTemplate producer = harvester.context().createProducerTemplate();

        Exchange sent = producer.send("trigger:export:orders?background=true", exchange -> exchange.getMessage().setBody("cli"));

        assertThat(sent.getException()).isNull();
        // the first page is held: the run cannot have ended yet
        await().atMost(Duration.ofSeconds(30)).until(() -> upstream.requests() >= 1);
        assertThat(harvester.query("select status, trigger from runs where pipeline = 'export:orders'"))
                .containsExactly(Map.of("status", "running", "trigger", "manual"));
        pagesHeld.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> harvester.query(
                "select status from runs where pipeline = 'export:orders'").equals(List.of(Map.of("status", "completed"))));

        Exchange unknown = producer.send("trigger:export:nope?background=true", exchange -> exchange.getMessage().setBody("cli"));
        assertThat(unknown.getException()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("no pipeline named export:nope is running");
        assertThat(harvester.query("select count(*) as n from runs where pipeline = 'export:nope'")).containsExactly(Map.of("n", 0L));
    }

    @Test
    void should_refuse_a_suspended_or_held_pipeline_before_returning_recording_nothing() throws Exception {
        upstream = FakeUpstream.start().total(30);
        harvester = daemons.start(ExportYaml.exports().export("orders", upstream.url("/orders"),
                Map.of("pageSize", "10")).yaml(), Map.of());
        ProducerTemplate producer = harvester.context().createProducerTemplate();

        harvester.context().getRouteController().suspendRoute("export-orders");
        Exchange suspended = producer.send("trigger:export:orders?background=true", exchange -> exchange.getMessage().setBody("cli"));
        assertThat(suspended.getException()).isInstanceOf(RunRefused.class).hasMessage("pipeline export:orders is suspended");
        harvester.context().getRouteController().resumeRoute("export-orders");

        try (TriggerComponent.Hold hold = TriggerComponent.of(harvester.context()).hold(List.of("export:orders"))) {
            Exchange held = producer.send("trigger:export:orders?background=true", exchange -> exchange.getMessage().setBody("cli"));
            assertThat(held.getException()).isInstanceOf(IllegalStateException.class).hasMessage("pipeline export:orders not"
                    + " started: its route file is being applied (live route edit); start it again in a moment");
        }
        assertThat(harvester.query("select count(*) as n from runs")).containsExactly(Map.of("n", 0L));
        assertThat(upstream.requests()).isZero();
    }
}
