package io.harvester.reload;

import static io.harvester.support.ExportYaml.exports;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import io.harvester.trigger.PipelineView;
import io.harvester.support.CrawlYaml;
import io.harvester.support.DaemonScope;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.LogLines;
import io.harvester.trigger.TriggerComponent;
import io.harvester.runs.TriggerKind;
import javax.management.ObjectName;

import org.apache.camel.Exchange;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.quartz.QuartzComponent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.CronTrigger;
import org.quartz.Scheduler;
import org.quartz.TriggerKey;

/**
 * Live route edits on a running daemon: the test edits route files in its own working folder (never the
 * repository's routes/) and reads what the fake upstream was asked and what the log says.
 */
@HarvesterDaemon
class RouteReloadTest {

    static DaemonScope daemons;
    @TempDir
    static Path work;
    static HarvesterRuntime harvester;
    @AutoClose
    static FakeUpstream upstream;

    private static LogLines log;
    private FakeUpstream api;

    @BeforeAll
    static void start() throws Exception {
        log = LogLines.capture();
        // a pipeline with a schedule property, for the edit that deletes it
        Files.writeString(work.resolve("doomed.camel.yaml"), exports().export("doomed", "http://localhost:9/orders", Map.of()).yaml());
        // a template and a file using it, once without routeId: loaded at start-up, which alone applies that file
        Files.writeString(work.resolve("greeter3.camel.yaml"), greeter("greeter3", "{{greeting}}, ${body}", "greeting"));
        Files.writeString(work.resolve("greet3.camel.yaml"), greet3("c", true) + greet3("d", false));
        harvester = daemons.start(work, "[]\n", Map.of(
                "harvester.schedule.export.doomed.cron", "0 0 4 * * ?",
                // the shipped XML demo export and the demo API it reads, from the repository's routes/ (never edited here)
                "camel.main.routes-include-pattern", "file:routes/templates/*.camel.yaml,file:routes/harvester-*.camel.yaml,"
                        + "file:routes/demo/demo-api.camel.yaml,file:routes/demo/demo-export.camel.xml,"
                        + "file:" + work.toAbsolutePath() + "/*.camel.yaml,file:" + work.toAbsolutePath() + "/*.camel.xml",
                // as the prod profile leaves out routes/demo/, at start-up and on edits
                "camel.main.routes-exclude-pattern", "file:" + work.toAbsolutePath() + "/excluded-*.camel.yaml",
                "camel.main.routes-reload-enabled", "true",
                "camel.main.routes-reload-directory", work.toAbsolutePath().toString(),
                "camel.main.routes-reload-directory-recursive", "false"));
    }

    @AfterAll
    static void stopCapture() {
        log.close();
    }

    @BeforeEach
    void startApi() {
        api = FakeUpstream.start().total(100);
    }

    @AfterEach
    void stopApi() {
        api.close();
    }

    @Test
    void should_run_the_shipped_demo_export_written_in_xml() {
        Exchange exchange = harvester.runNow("export:demo-orders-xml");

        assertThat(exchange.getException()).isNull();
        assertThat(statuses("export:demo-orders-xml")).containsExactly("completed");
        assertThat(harvester.query("select o.rows from run_outputs o join runs r on r.id = o.run_id"
                + " where o.\"primary\" and r.pipeline = 'export:demo-orders-xml'")).containsExactly(Map.of("rows", 2500L));
    }

    @Test
    void should_use_a_changed_page_size_in_the_next_run() throws Exception {
        save("size.camel.yaml", export("size", "50"));
        awaitReloads("size.camel.yaml", 1);
        assertThat(run("export:size")).isEqualTo(List.of("/orders?page=1&size=50", "/orders?page=2&size=50"));

        save("size.camel.yaml", export("size", "20"));
        awaitReloads("size.camel.yaml", 2);

        assertThat(run("export:size")).isEqualTo(pages(5, 20));
        assertThat(statuses("export:size")).containsExactly("completed", "completed");
    }

    @Test
    void should_apply_a_save_made_while_the_previous_save_of_the_file_is_applied() throws Exception {
        save("twice.camel.yaml", export("twice", "10"));
        awaitReloads("twice.camel.yaml", 1);
        RouteFileReload reload = harvester.context().hasService(RouteFileReload.class);
        Path file = work.resolve("twice.camel.yaml").toAbsolutePath().normalize();
        AtomicBoolean once = new AtomicBoolean();
        // the second save lands (and the watcher reports it) after the first one was read, before it is swapped in
        reload.afterRead(read -> {
            if (read.equals(file) && once.compareAndSet(false, true)) {
                long before = reload.changes();
                try {
                    save("twice.camel.yaml", export("twice", "25"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> reload.changes() > before);
            }
        });
        try {
            save("twice.camel.yaml", export("twice", "20"));
            awaitReloads("twice.camel.yaml", 3);
        } finally {
            reload.afterRead(null);
        }
        assertThat(once).isTrue();
        assertThat(run("export:twice")).isEqualTo(pages(4, 25));
    }

    @Test
    void should_keep_the_previous_routes_of_a_yaml_file_an_edit_broke() throws Exception {
        save("broken.camel.yaml", export("broken", "50"));
        awaitReloads("broken.camel.yaml", 1);

        save("broken.camel.yaml", "- templatedRoute:\n    routeTemplateRef: paged-export\n    routeId: export-broken\n"
                + "    parameters: [unclosed\n");
        List<String> syntax = awaitError("broken.camel.yaml", 1);
        assertThat(syntax.get(0)).startsWith("ERROR Route file " + work.resolve("broken.camel.yaml")
                + " not reloaded, its previous routes keep running: not valid YAML: ").contains("line 4, column 17: parameters: [unclosed");
        assertThat(run("export:broken")).isEqualTo(pages(2, 50));

        // valid YAML naming a parameter the template does not have: the start-up check, on the edit
        save("broken.camel.yaml", export("broken", "50").replace("pageSize", "pageSise"));
        assertThat(awaitError("broken.camel.yaml", 2).get(1)).endsWith("not reloaded, its previous routes keep running:"
                + " route export-broken: parameter 'pageSise' is not a parameter of template paged-export (did you mean 'pageSize'?)");

        // a value the export's bean refuses when Camel makes it: the new route is dropped, the old one loaded again
        save("broken.camel.yaml", export("broken", "0"));
        assertThat(awaitError("broken.camel.yaml", 3).get(2)).endsWith("not reloaded, its previous routes keep running:"
                + " route export-broken: export:broken: pageSize must be at least 1, was 0");
        assertThat(run("export:broken")).isEqualTo(pages(2, 50));

        // a route id another file declares (routes/harvester-runs.camel.yaml): Camel would replace that route
        save("broken.camel.yaml", export("broken", "50") + exports().export("other", api.url("/orders"), Map.of()).yaml()
                .replace("routeId: export-other", "routeId: run-heartbeat"));
        assertThat(awaitError("broken.camel.yaml", 4).get(3)).endsWith("not reloaded, its previous routes keep running:"
                + " route id(s) [run-heartbeat] already run, declared in another file");
        assertThat(harvester.context().getRoute("run-heartbeat").getEndpoint().getEndpointUri()).startsWith("timer:");
        assertThat(statuses("export:broken")).containsExactly("completed", "completed");
    }

    @Test
    void should_load_and_reload_xml_routes_and_keep_the_previous_ones_when_broken() throws Exception {
        save("xml.camel.xml", xmlExport("xml", "50"));
        awaitReloads("xml.camel.xml", 1);
        assertThat(run("export:xml")).isEqualTo(pages(2, 50));

        save("xml.camel.xml", xmlExport("xml", "25").replace("</camel>", ""));
        assertThat(awaitError("xml.camel.xml", 1).get(0)).isEqualTo("ERROR Route file " + work.resolve("xml.camel.xml")
                + " not reloaded, its previous routes keep running: not valid XML: line 10, column 1: XML document structures must start and end within the same entity.");
        assertThat(run("export:xml")).isEqualTo(pages(2, 50));

        save("xml.camel.xml", xmlExport("xml", "25"));
        awaitReloads("xml.camel.xml", 2);
        assertThat(run("export:xml")).isEqualTo(pages(4, 25));
    }

    @Test
    void should_apply_an_edit_made_during_a_run_only_after_the_run() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        api.total(200);
        save("long.camel.yaml", export("long", "10"));
        awaitReloads("long.camel.yaml", 1);
        // the run stays on its first page until the edit has been seen waiting for it
        api.gate(gate);
        CompletableFuture<Exchange> running = TriggerComponent.of(harvester.context())
                .startInBackground("export:long", Map.of(TriggerKind.HEADER, TriggerKind.API.value()), Map.of());
        await().atMost(Duration.ofSeconds(10)).until(() -> api.requestUris().size() >= 1);

        save("long.camel.yaml", export("long", "40"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !log.containing("Route file " + work.resolve("long.camel.yaml")
                + " changed; applied once the runs in progress end (route export-long: 1)").isEmpty());
        assertThat(running).isNotDone();
        assertThat(log.containing("Route file " + work.resolve("long.camel.yaml") + " reloaded")).hasSize(1);
        gate.countDown();
        api.gate(null);

        running.get();
        assertThat(statuses("export:long")).containsExactly("completed");
        assertThat(api.requestUris()).isEqualTo(pages(20, 10));
        assertThat(harvester.query("select o.rows from run_outputs o join runs r on r.id = o.run_id"
                + " where o.\"primary\" and r.pipeline = 'export:long'")).containsExactly(Map.of("rows", 200L));
        awaitReloads("long.camel.yaml", 2);

        assertThat(run("export:long")).isEqualTo(pages(5, 40));
        assertThat(statuses("export:long")).containsExactly("completed", "completed");
    }

    @Test
    void should_refuse_new_runs_of_a_held_pipeline_and_count_those_in_progress() throws Exception {
        save("held.camel.yaml", export("held", "50"));
        awaitReloads("held.camel.yaml", 1);
        TriggerComponent triggers = TriggerComponent.of(harvester.context());
        try (TriggerComponent.Hold hold = triggers.hold(List.of("export:held", "export:not-here"))) {
            assertThat(hold.runsInProgress()).isEmpty();
            assertThat(harvester.runNow("export:held").getException()).hasMessage("pipeline export:held not started: its"
                    + " route file is being applied (live route edit); start it again in a moment");
        }
        assertThat(statuses("export:held")).isEmpty();

        api.latencyMs(300);
        CompletableFuture<Exchange> running = triggers.startInBackground("export:held",
                Map.of(TriggerKind.HEADER, TriggerKind.API.value()), Map.of());
        await().atMost(Duration.ofSeconds(10)).until(() -> api.requestUris().size() >= 1);
        try (TriggerComponent.Hold hold = triggers.hold(List.of("export:held"))) {
            assertThat(hold.runsInProgress()).isEqualTo(Map.of("export:held", 1));
        }
        assertThat(running.get().getException()).isNull();
        assertThat(statuses("export:held")).containsExactly("completed");
    }

    @Test
    void should_refuse_new_runs_until_the_last_of_overlapping_holds_is_closed() throws Exception {
        save("twoholds.camel.yaml", export("twoholds", "50"));
        awaitReloads("twoholds.camel.yaml", 1);
        TriggerComponent triggers = TriggerComponent.of(harvester.context());
        TriggerComponent.Hold first = triggers.hold(List.of("export:twoholds"));
        try (TriggerComponent.Hold second = triggers.hold(List.of("export:twoholds"))) {
            first.close();
            assertThat(harvester.runNow("export:twoholds").getException()).hasMessage("pipeline export:twoholds not started:"
                    + " its route file is being applied (live route edit); start it again in a moment");
        }
        assertThat(statuses("export:twoholds")).isEmpty();
        assertThat(run("export:twoholds")).isEqualTo(pages(2, 50));
        assertThat(statuses("export:twoholds")).containsExactly("completed");
    }

    @Test
    void should_run_a_cron_tick_that_came_during_a_live_edit_once_the_edit_is_applied() throws Exception {
        save("ticking.camel.yaml", exports().export("ticking", api.url("/orders"), Map.of("cron", "* * * * * ?",
                "concurrency", "1")).yaml());
        awaitReloads("ticking.camel.yaml", 1);
        TriggerComponent triggers = TriggerComponent.of(harvester.context());
        long before;
        try (TriggerComponent.Hold hold = triggers.hold(List.of("export:ticking"))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !log.containing(
                    "INFO Pipeline export:ticking: schedule trigger waits for its route file being applied").isEmpty());
            before = scheduledRuns("export:ticking");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> scheduledRuns("export:ticking") > before);
        assertThat(log.containing("Pipeline export:ticking: schedule trigger ignored")).isEmpty();
        Files.delete(work.resolve("ticking.camel.yaml"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !triggers.pipelines().contains("export:ticking"));
    }

    @Test
    void should_refuse_a_start_between_the_old_routes_removal_and_the_new_ones_start_with_the_hold_message() throws Exception {
        save("gap.camel.yaml", export("gap", "50"));
        awaitReloads("gap.camel.yaml", 1);
        TriggerComponent triggers = TriggerComponent.of(harvester.context());
        try (TriggerComponent.Hold hold = triggers.hold(List.of("export:gap"))) {
            // as during a swap: the old route is gone, the new one not started yet
            harvester.context().getRouteController().stopRoute("export-gap");
            assertThat(harvester.runNow("export:gap").getException()).hasMessage("pipeline export:gap not started: its"
                    + " route file is being applied (live route edit); start it again in a moment");
        }
        harvester.context().getRouteController().startRoute("export-gap");
        assertThat(run("export:gap")).isEqualTo(pages(2, 50));
    }

    @Test
    void should_log_a_background_start_that_failed() {
        TriggerComponent.of(harvester.context()).startInBackground("export:nowhere", Map.of(TriggerKind.HEADER, "manual"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !log.containing("WARN Pipeline export:nowhere: started in the"
                + " background (manual), it failed: no pipeline named export:nowhere is running").isEmpty());
    }

    @Test
    void should_leave_a_templated_route_without_route_id_to_the_next_restart() throws Exception {
        save("noid.camel.yaml", export("noid", "50").replace("    routeId: export-noid\n", ""));
        await().atMost(Duration.ofSeconds(10)).until(() -> !log.containing("WARN Route file " + work.resolve("noid.camel.yaml")
                + " not reloaded: it declares [templatedRoute without routeId], which only a restart applies").isEmpty());
        assertThat(TriggerComponent.of(harvester.context()).pipelines()).doesNotContain("export:noid");
    }

    @Test
    void should_warn_when_a_deleted_pipeline_is_still_named_by_a_property() throws Exception {
        assertThat(ManagementFactory.getPlatformMBeanServer().getAttribute(PipelineView.name("export:doomed"), "Cron")).isEqualTo("0 0 4 * * ?");
        Files.delete(work.resolve("doomed.camel.yaml"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !log.containing("WARN Pipeline export:doomed was removed by the"
                + " edit of " + work.resolve("doomed.camel.yaml") + ", but harvester.schedule.export.doomed.cron still names"
                + " it: the next start-up refuses it; remove it").isEmpty());
        assertThat(storedCron("export_doomed")).isNull();
    }

    @Test
    void should_keep_the_routes_of_a_file_emptied_while_an_editor_writes_it() throws Exception {
        save("trunc.camel.yaml", export("trunc", "50"));
        awaitReloads("trunc.camel.yaml", 1);

        save("trunc.camel.yaml", "");
        await().atMost(Duration.ofSeconds(10)).until(() -> !log.containing("WARN Route file " + work.resolve("trunc.camel.yaml")
                + " is empty: taken as being written, its routes keep running").isEmpty());
        assertThat(TriggerComponent.of(harvester.context()).pipelines()).contains("export:trunc");
        save("trunc.camel.yaml", export("trunc", "25"));
        awaitReloads("trunc.camel.yaml", 2);

        assertThat(run("export:trunc")).isEqualTo(pages(4, 25));
        assertThat(log.containing("Route file " + work.resolve("trunc.camel.yaml") + " reloaded: routes []")).isEmpty();
    }

    @Test
    void should_remove_the_routes_of_a_file_that_stays_empty() throws Exception {
        save("emptied.camel.yaml", export("emptied", "50"));
        awaitReloads("emptied.camel.yaml", 1);

        save("emptied.camel.yaml", "");
        await().atMost(Duration.ofSeconds(10)).until(() -> !log.containing("INFO Route file " + work.resolve("emptied.camel.yaml")
                + " reloaded: routes []").isEmpty());
        assertThat(TriggerComponent.of(harvester.context()).pipelines()).doesNotContain("export:emptied");
    }

    @Test
    void should_ignore_editor_lock_files() throws Exception {
        save(".#lock.camel.yaml", export("lock", "50"));
        save("afterlock.camel.yaml", export("afterlock", "50"));
        awaitReloads("afterlock.camel.yaml", 1);

        assertThat(TriggerComponent.of(harvester.context()).pipelines()).contains("export:afterlock").doesNotContain("export:lock");
        assertThat(log.containing(".#lock.camel.yaml")).isEmpty();
    }

    @Test
    void should_not_leave_the_jmx_view_of_a_crawl_in_a_refused_edit() throws Exception {
        api.tree(2, 2);
        ObjectName ghost = new ObjectName("io.harvester:type=crawl,name=" + ObjectName.quote("ghost"));
        save("ghost.camel.yaml", export("ghostly", "50"));
        awaitReloads("ghost.camel.yaml", 1);

        // the first crawl's bean (and view) is made, then the second one's refuses its empty url: the edit is rolled back
        save("ghost.camel.yaml", export("ghostly", "50") + CrawlYaml.crawl("ghost", api.url("/tree"), Map.of("depth", "2")).yaml()
                + CrawlYaml.crawl("ghost2", "", Map.of("depth", "2")).yaml());
        assertThat(awaitError("ghost.camel.yaml", 1).get(0)).contains("crawl:ghost2: url is empty");

        assertThat(TriggerComponent.of(harvester.context()).pipelines()).contains("export:ghostly").doesNotContain("crawl:ghost");
        assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(ghost)).isFalse();
    }

    @Test
    void should_leave_out_a_saved_file_the_exclude_pattern_names() throws Exception {
        save("excluded-demo.camel.yaml", export("excluded", "50"));
        save("included.camel.yaml", export("included", "50"));
        awaitReloads("included.camel.yaml", 1);
        // a marker saved afterwards: its batch starts once the one holding the excluded file's change is done
        save("included.camel.yaml", export("included", "20"));
        awaitReloads("included.camel.yaml", 2);

        assertThat(TriggerComponent.of(harvester.context()).pipelines()).contains("export:included").doesNotContain("export:excluded");
        assertThat(log.containing("excluded-demo.camel.yaml")).isEmpty();
    }

    @Test
    void should_remove_the_routes_of_a_deleted_file() throws Exception {
        save("gone.camel.yaml", export("gone", "50"));
        awaitReloads("gone.camel.yaml", 1);
        assertThat(TriggerComponent.of(harvester.context()).pipelines()).contains("export:gone");

        Files.delete(work.resolve("gone.camel.yaml"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !log.containing("Route file " + work.resolve("gone.camel.yaml")
                + " deleted: routes [export-gone] removed").isEmpty());
        assertThat(TriggerComponent.of(harvester.context()).pipelines()).doesNotContain("export:gone");
        assertThat(harvester.context().getRoute("export-gone")).isNull();
    }

    @Test
    void should_recreate_a_crawl_with_its_new_cron_and_its_jmx_view() throws Exception {
        api.tree(2, 2);
        ObjectName view = new ObjectName("io.harvester:type=crawl,name=" + ObjectName.quote("tree"));
        save("crawl.camel.yaml", crawl("0 0 3 * * ?"));
        awaitReloads("crawl.camel.yaml", 1);
        assertThat(storedCron("crawl_tree")).isEqualTo("0 0 3 * * ?");
        assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(view)).isTrue();

        save("crawl.camel.yaml", crawl("0 30 4 * * ?"));
        awaitReloads("crawl.camel.yaml", 2);
        assertThat(storedCron("crawl_tree")).isEqualTo("0 30 4 * * ?");
        assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(view)).isTrue();
        assertThat(harvester.runNow("crawl:tree").getException()).isNull();
        assertThat(statuses("crawl:tree")).containsExactly("completed");

        // back to the first cron: its Quartz endpoint, cached since, must store the job again
        save("crawl.camel.yaml", crawl("0 0 3 * * ?"));
        awaitReloads("crawl.camel.yaml", 3);
        assertThat(storedCron("crawl_tree")).isEqualTo("0 0 3 * * ?");
        assertThat(log.containing("has no trigger harvester.crawl_tree stored")).isEmpty();

        Files.delete(work.resolve("crawl.camel.yaml"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !log.containing("Route file " + work.resolve("crawl.camel.yaml")
                + " deleted: routes [crawl-tree] removed").isEmpty());
        assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(view)).isFalse();
        assertThat(log.containing("crawl.camel.yaml not reloaded")).isEmpty();
        // nothing left in the shared store to fire for a pipeline no route declares
        assertThat(storedCron("crawl_tree")).isNull();
    }

    @Test
    void should_delete_the_stored_schedule_of_a_pipeline_whose_cron_is_emptied_or_renamed() throws Exception {
        save("cronless.camel.yaml", exports().export("cronless", api.url("/orders"), Map.of("cron", "0 0 5 * * ?")).yaml());
        awaitReloads("cronless.camel.yaml", 1);
        assertThat(storedCron("export_cronless")).isEqualTo("0 0 5 * * ?");

        save("cronless.camel.yaml", exports().export("cronless", api.url("/orders"), Map.of()).yaml());
        awaitReloads("cronless.camel.yaml", 2);
        assertThat(storedCron("export_cronless")).isNull();

        save("cronless.camel.yaml", exports().export("cronless", api.url("/orders"), Map.of("cron", "0 0 5 * * ?")).yaml());
        awaitReloads("cronless.camel.yaml", 3);
        assertThat(storedCron("export_cronless")).isEqualTo("0 0 5 * * ?");

        // renamed: the old pipeline's job goes, the new one's is stored
        save("cronless.camel.yaml", exports().export("renamed", api.url("/orders"), Map.of("cron", "0 0 5 * * ?")).yaml());
        awaitReloads("cronless.camel.yaml", 4);
        assertThat(storedCron("export_cronless")).isNull();
        assertThat(storedCron("export_renamed")).isEqualTo("0 0 5 * * ?");
        Files.delete(work.resolve("cronless.camel.yaml"));
        await().atMost(Duration.ofSeconds(10)).until(() -> storedCron("export_renamed") == null);
    }

    @Test
    void should_keep_a_route_stopped_or_suspended_over_jmx_so_after_an_edit() throws Exception {
        save("halted.camel.yaml", export("stopped", "50") + export("suspended", "50"));
        awaitReloads("halted.camel.yaml", 1);
        harvester.context().getRouteController().stopRoute("export-stopped");
        harvester.context().getRouteController().suspendRoute("export-suspended");

        save("halted.camel.yaml", export("stopped", "20") + export("suspended", "20"));
        awaitReloads("halted.camel.yaml", 2);

        assertThat(harvester.context().getRouteController().getRouteStatus("export-stopped")).isEqualTo(ServiceStatus.Stopped);
        assertThat(harvester.context().getRouteController().getRouteStatus("export-suspended")).isEqualTo(ServiceStatus.Suspended);
        assertThat(log.containing("Route export-stopped was stopped before the edit of " + work.resolve("halted.camel.yaml")
                + ": stopped again")).hasSize(1);
        harvester.context().getRouteController().startRoute("export-stopped");
        harvester.context().getRouteController().resumeRoute("export-suspended");
        assertThat(run("export:stopped")).isEqualTo(pages(5, 20));
    }

    @Test
    void should_recreate_the_routes_made_from_a_changed_template_and_refuse_one_they_cannot_use() throws Exception {
        save("greeter.camel.yaml", greeter("{{greeting}}, ${body}", "greeting"));
        awaitReloads("greeter.camel.yaml", 1);
        save("greet.camel.yaml", """
                - templatedRoute:
                    routeTemplateRef: greeter
                    routeId: greet-a
                    parameters:
                      - name: name
                        value: a
                      - name: greeting
                        value: Hello
                """);
        awaitReloads("greet.camel.yaml", 1);
        assertThat(greet()).isEqualTo("Hello, Ada");

        save("greeter.camel.yaml", greeter("{{greeting}}!! ${body}", "greeting"));
        awaitReloads("greeter.camel.yaml", 2);
        assertThat(log.containing("Route file " + work.resolve("greeter.camel.yaml") + " reloaded")).last().isEqualTo(
                "INFO Route file " + work.resolve("greeter.camel.yaml") + " reloaded: routes [], and those of ["
                        + work.resolve("greet.camel.yaml") + "] made from its templates");
        assertThat(greet()).isEqualTo("Hello!! Ada");

        save("greeter.camel.yaml", greeter("{{salutation}} ${body}", "salutation"));
        assertThat(awaitError("greeter.camel.yaml", 1).get(0)).endsWith("its previous routes keep running: "
                + work.resolve("greet.camel.yaml") + ": route greet-a: parameter 'greeting' is not a parameter of"
                + " template greeter");
        assertThat(greet()).isEqualTo("Hello!! Ada");
    }

    @Test
    void should_keep_a_pipeline_moved_to_another_file() throws Exception {
        // both name orders, whatever order the changes come in
        for (String[] move : new String[][] {{"mva", "mvb"}, {"mvd", "mvc"}, {"mvm", "mvn"}, {"mvz", "mve"}}) {
            String from = move[0] + ".camel.yaml";
            String to = move[1] + ".camel.yaml";
            save(from, export(move[0], "50"));
            awaitReloads(from, 1);

            Files.move(work.resolve(from), work.resolve(to), StandardCopyOption.ATOMIC_MOVE);
            await().atMost(Duration.ofSeconds(10)).until(() -> log.containing("INFO Route file " + work.resolve(to) + " reloaded").size() == 1
                    && log.containing("INFO Route file " + work.resolve(from) + " deleted").size() == 1);

            assertThat(TriggerComponent.of(harvester.context()).pipelines()).contains("export:" + move[0]);
            assertThat(harvester.context().getRouteController().getRouteStatus("export-" + move[0]).isStarted()).isTrue();
            assertThat(log.containing(to + " not reloaded")).isEmpty();
        }
    }

    @Test
    void should_apply_a_template_changed_together_with_the_file_using_it() throws Exception {
        save("greeter2.camel.yaml", greeter("greeter2", "{{greeting}}, ${body}", "greeting"));
        save("greet2.camel.yaml", greet2("greeting", "Hello"));
        awaitReloads("greeter2.camel.yaml", 1);
        awaitReloads("greet2.camel.yaml", 1);
        assertThat(greet("b")).isEqualTo("Hello, Ada");

        // the parameter renamed in both (one git pull): neither file passes the checks against the other's old text
        save("greeter2.camel.yaml", greeter("greeter2", "{{salutation}}: ${body}", "salutation"));
        save("greet2.camel.yaml", greet2("salutation", "Hi"));
        awaitReloads("greeter2.camel.yaml", 2);
        assertThat(greet("b")).isEqualTo("Hi: Ada");
        assertThat(log.containing("greet2.camel.yaml not reloaded")).isEmpty();
        assertThat(log.containing("greeter2.camel.yaml not reloaded")).isEmpty();
    }

    @Test
    void should_leave_a_changed_template_to_the_next_restart_when_a_file_using_it_has_a_templated_route_without_id()
            throws Exception {
        assertThat(greet("c")).isEqualTo("Hello, Ada");
        assertThat(greet("d")).isEqualTo("Hello, Ada");

        // greet3.camel.yaml's route without id cannot be removed: reloading that file would declare direct:greet-d twice
        save("greeter3.camel.yaml", greeter("greeter3", "{{greeting}}!! ${body}", "greeting"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !log.containing("WARN Route file " + work.resolve("greeter3.camel.yaml")
                + " not reloaded").isEmpty());
        assertThat(log.containing("Route file " + work.resolve("greeter3.camel.yaml") + " not reloaded")).containsExactly(
                "WARN Route file " + work.resolve("greeter3.camel.yaml") + " not reloaded, its previous routes keep running: "
                        + work.resolve("greet3.camel.yaml") + " uses its templates and declares [templatedRoute without"
                        + " routeId], which only a restart applies; restart Harvester to apply the edit");
        assertThat(harvester.context().getRouteController().getRouteStatus("greet-c").isStarted()).isTrue();
        assertThat(greet("c")).isEqualTo("Hello, Ada");
        assertThat(greet("d")).isEqualTo("Hello, Ada");
        assertThat(log.containing("Route file " + work.resolve("greeter3.camel.yaml") + " reloaded")).isEmpty();
    }

    private static String greet3(String name, boolean withId) {
        return """
                - templatedRoute:
                    routeTemplateRef: greeter3
                %s    parameters:
                      - name: name
                        value: %s
                      - name: greeting
                        value: Hello
                """.formatted(withId ? "    routeId: greet-" + name + "\n" : "", name);
    }

    private static String greet2(String parameter, String value) {
        return """
                - templatedRoute:
                    routeTemplateRef: greeter2
                    routeId: greet-b
                    parameters:
                      - name: name
                        value: b
                      - name: %s
                        value: %s
                """.formatted(parameter, value);
    }

    private static String greeter(String body, String parameter) {
        return greeter("greeter", body, parameter);
    }

    private static String greeter(String id, String body, String parameter) {
        return """
                - routeTemplate:
                    id: %s
                    parameters:
                      - name: name
                      - name: %s
                    route:
                      from:
                        uri: "direct:greet-{{name}}"
                        steps:
                          - setBody:
                              simple: "%s"
                """.formatted(id, parameter, body);
    }

    private static String greet() {
        return greet("a");
    }

    private static String greet(String name) {
        return harvester.context().createFluentProducerTemplate().to("direct:greet-" + name).withBody("Ada").request(String.class);
    }

    private String crawl(String cron) {
        return CrawlYaml.crawl("tree", api.url("/tree"), Map.of("depth", "2", "cron", cron)).yaml();
    }

    private static String storedCron(String job) throws Exception {
        Scheduler scheduler = harvester.context().getComponent("quartz", QuartzComponent.class).getScheduler();
        var stored = scheduler.getTrigger(new TriggerKey(job, "harvester"));
        return stored == null ? null : ((CronTrigger) stored).getCronExpression();
    }

    private String export(String name, String pageSize) {
        return exports().export(name, api.url("/orders"), Map.of("pageSize", pageSize, "concurrency", "1")).yaml();
    }

    private String xmlExport(String name, String pageSize) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <camel>
                    <templatedRoute routeTemplateRef="paged-export" routeId="export-%s">
                        <parameter name="name" value="%s"/>
                        <parameter name="url" value="%s"/>
                        <parameter name="pageSize" value="%s"/>
                        <parameter name="concurrency" value="1"/>
                    </templatedRoute>
                </camel>
                """.formatted(name, name, api.url("/orders"), pageSize);
    }

    private static void save(String file, String text) throws Exception {
        Files.writeString(work.resolve(file), text);
    }

    private static void awaitReloads(String file, int count) {
        String line = "INFO Route file " + work.resolve(file) + " reloaded";
        await().atMost(Duration.ofSeconds(10)).until(() -> log.containing(line).size() >= count);
        assertThat(log.containing(line)).hasSize(count);
    }

    private static List<String> awaitError(String file, int count) {
        String line = "ERROR Route file " + work.resolve(file) + " not reloaded";
        await().atMost(Duration.ofSeconds(10)).until(() -> log.containing(line).size() >= count);
        return log.containing(line);
    }

    /** Runs the export now and returns what it asked the upstream, in order (one page at a time). */
    private List<String> run(String pipeline) {
        api.resetCounters();
        Exchange exchange = harvester.runNow(pipeline);
        assertThat(exchange.getException()).isNull();
        return api.requestUris();
    }

    private static List<String> pages(int count, int size) {
        return IntStream.rangeClosed(1, count).mapToObj(p -> "/orders?page=" + p + "&size=" + size).toList();
    }

    private static long scheduledRuns(String pipeline) {
        return harvester.query("select id from runs where trigger = 'schedule' and pipeline = '" + pipeline + "'").size();
    }

    private static List<Object> statuses(String pipeline) {
        return harvester.query("select status from runs where pipeline = '" + pipeline + "' order by id").stream()
                .map(row -> row.get("status")).toList();
    }
}
