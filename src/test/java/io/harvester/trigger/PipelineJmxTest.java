package io.harvester.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

import javax.management.MBeanException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an operator does from JConsole or Hawtio: Camel's route MBeans stop, suspend and start a pipeline's
 * route; Harvester's pipeline MBean ({@code io.harvester:type=export,name="..."}) shows its state, last run
 * and next tick, starts a run (answering its id) and cancels one. A stopped pipeline records nothing and sends nothing.
 */
@HarvesterDaemon
class PipelineJmxTest {

    static DaemonScope daemons;
    static HarvesterRuntime harvester;
    @AutoClose
    static FakeUpstream upstream;

    private static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();
    private static FakeUpstream ticking;
    private static FakeUpstream slow;

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.start().total(40);
        ticking = FakeUpstream.start().total(40);
        slow = FakeUpstream.start().total(400).latencyMs(300);
        harvester = daemons.start(ExportYaml.exports()
                .export("controlled", upstream.url("/orders"), Map.of("pageSize", "10"))
                .export("ticking", ticking.url("/orders"), Map.of("pageSize", "40", "cron", "* * * * * ?"))
                .export("slow", slow.url("/orders"), Map.of("pageSize", "10", "concurrency", "1")),
                Map.of("harvester.dispatch.sweep-cron", "0 0 5 * * ?"));
    }

    @AfterAll
    static void stopOthers() {
        ticking.close();
        slow.close();
    }

    @Test
    void should_show_a_pipeline_and_run_it_from_its_mbean() throws Exception {
        ObjectName view = PipelineView.name("export:controlled");
        assertThat(view).hasToString("io.harvester:type=export,name=\"controlled\"");
        assertThat(JMX.getAttribute(view, "State")).isEqualTo("idle");
        assertThat(JMX.getAttribute(view, "RouteId")).isEqualTo("export-controlled");
        assertThat(JMX.getAttribute(view, "LastRunId")).isEqualTo(-1L);
        assertThat(JMX.getAttribute(view, "Cron")).isEqualTo("");
        assertThat(JMX.getAttribute(view, "NextFireTime")).isEqualTo("");

        long id = (Long) JMX.invoke(view, "runNow", null, null);
        await().atMost(Duration.ofSeconds(20)).until(() -> !harvester.query(
                "select 1 from runs where pipeline = 'export:controlled' and status = 'completed'").isEmpty());
        Map<String, Object> run = harvester.onlyRun("export:controlled");
        assertThat(run.get("id")).isEqualTo(id);
        assertThat(JMX.getAttribute(view, "LastRunId")).isEqualTo(id);
        assertThat(JMX.getAttribute(view, "LastRunStatus")).isEqualTo("completed");
        assertThat(JMX.getAttribute(view, "LastRunError")).isEqualTo("");
        assertThat(Instant.parse((String) JMX.getAttribute(view, "LastRunFinishedAt"))).isBefore(Instant.now());
        assertThat(harvester.query("select trigger from runs where pipeline = 'export:controlled'"))
                .containsExactly(Map.of("trigger", "manual"));

        // the views of the other kinds are there under their stable names too
        assertThat(JMX.isRegistered(PipelineView.name("dispatch:sweep"))).isTrue();
        assertThat(JMX.isRegistered(PipelineView.name("system:retention"))).isTrue();
        assertThat(JMX.getAttribute(PipelineView.name("dispatch:sweep"), "Cron")).isEqualTo("0 0 5 * * ?");
    }

    @Test
    void should_record_and_send_nothing_while_its_route_is_stopped() throws Exception {
        ObjectName view = PipelineView.name("export:ticking");
        ObjectName route = route("export-ticking");
        assertThat(Instant.parse((String) JMX.getAttribute(view, "NextFireTime"))).isAfter(Instant.now().minusSeconds(1));
        assertThat(JMX.getAttribute(view, "Misfire")).isEqualTo("fire-once-now");
        await().atMost(Duration.ofSeconds(20)).until(() -> completed("export:ticking") >= 1);

        JMX.invoke(route, "stop", null, null);
        assertThat(JMX.getAttribute(route, "State")).isEqualTo("Stopped");
        assertThat(JMX.getAttribute(view, "State")).isEqualTo("Stopped");
        assertThat(JMX.getAttribute(view, "NextFireTime")).isNotNull();
        // a run that began before the stop has finished by now: the stop waits for it
        long runs = count("export:ticking");
        long requests = ticking.requests();

        // stopping a pipeline is an operator's choice: the instance stays healthy
        java.net.http.HttpResponse<String> health = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + harvester.port()
                        + "/observe/health")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode() + " " + health.body()).startsWith("200").contains("UP");
        assertThatThrownBy(() -> JMX.invoke(view, "runNow", null, null)).isInstanceOf(MBeanException.class).cause()
                .isExactlyInstanceOf(IllegalStateException.class).hasMessage("pipeline export:ticking is stopped");
        Thread.sleep(2_500); // two and a half cron ticks
        assertThat(count("export:ticking")).isEqualTo(runs);
        assertThat(ticking.requests()).isEqualTo(requests);
        assertThat(harvester.runNow("export:ticking").getException())
                .hasMessageStartingWith("no pipeline named export:ticking is running");
        assertThat(count("export:ticking")).isEqualTo(runs);

        JMX.invoke(route, "start", null, null);
        assertThat(JMX.getAttribute(view, "State")).isIn("idle", "running");
        await().atMost(Duration.ofSeconds(20)).until(() -> completed("export:ticking") > runs);
        JMX.invoke(route, "stop", null, null);
    }

    @Test
    void should_refuse_a_run_of_a_suspended_pipeline_until_it_resumes() throws Exception {
        ObjectName view = PipelineView.name("export:controlled");
        ObjectName route = route("export-controlled");
        JMX.invoke(route, "suspend", null, null);
        try {
            assertThat(JMX.getAttribute(view, "State")).isEqualTo("Suspended");
            long runs = count("export:controlled");
            assertThatThrownBy(() -> JMX.invoke(view, "runNow", null, null)).isInstanceOf(MBeanException.class).cause()
                    .isExactlyInstanceOf(IllegalStateException.class).hasMessage("pipeline export:controlled is suspended");
            assertThat(harvester.runNow("export:controlled").getException()).hasMessage(
                    "pipeline export:controlled not started: its route export-controlled is Suspended");
            assertThat(count("export:controlled")).isEqualTo(runs);
        } finally {
            JMX.invoke(route, "resume", null, null);
        }
        assertThat(JMX.getAttribute(view, "State")).isEqualTo("idle");
    }

    @Test
    void should_cancel_the_live_run_from_its_mbean() throws Exception {
        ObjectName view = PipelineView.name("export:slow");
        assertThat(JMX.invoke(view, "cancel", null, null)).isEqualTo("no live run of export:slow to cancel");
        long live = (Long) JMX.invoke(view, "runNow", null, null);
        assertThat(JMX.getAttribute(view, "LiveRunId")).isEqualTo(live);
        assertThatThrownBy(() -> JMX.invoke(view, "runNow", null, null)).isInstanceOf(MBeanException.class).cause()
                .hasMessage("pipeline export:slow is running: run " + live);

        assertThat(JMX.invoke(view, "cancel", null, null)).isEqualTo("run " + live + " of export:slow cancelled");
        assertThat(harvester.query("select id, status, error from runs where pipeline = 'export:slow'"))
                .containsExactly(Map.of("id", live, "status", "cancelled", "error", "cancelled over JMX"));
        assertThat(JMX.getAttribute(view, "State")).isEqualTo("idle");
        assertThat(JMX.getAttribute(view, "LastRunStatus")).isEqualTo("cancelled");
        assertThat(harvester.csvFiles("slow")).isEmpty();
    }

    private static ObjectName route(String routeId) throws Exception {
        Set<ObjectName> names = JMX.queryNames(new ObjectName("org.apache.camel:type=routes,name=\"" + routeId + "\",*"), null);
        assertThat(names).hasSize(1);
        return names.iterator().next();
    }

    private static long count(String pipeline) {
        return (Long) harvester.query("select count(*) as n from runs where pipeline = '" + pipeline + "'").get(0).get("n");
    }

    private static long completed(String pipeline) {
        return (Long) harvester.query("select count(*) as n from runs where status = 'completed' and pipeline = '"
                + pipeline + "'").get(0).get("n");
    }
}
