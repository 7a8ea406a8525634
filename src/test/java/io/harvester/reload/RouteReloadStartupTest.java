package io.harvester.reload;

import static io.harvester.support.ExportYaml.exports;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import io.harvester.support.DaemonScope;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.LogLines;
import org.apache.camel.Exchange;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Route files saved after Camel read them at start-up and before live edits began watching: the edit is
 * applied (or, broken, refused with the routes Camel loaded still running), never lost.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@HarvesterDaemon
class RouteReloadStartupTest {

    static DaemonScope daemons;
    @TempDir
    static Path work;
    static HarvesterRuntime harvester;
    @AutoClose
    static FakeUpstream upstream;

    private static LogLines log;

    @BeforeAll
    static void start() throws Exception {
        log = LogLines.capture();
        upstream = FakeUpstream.start().total(100);
        Files.writeString(work.resolve("late.camel.yaml"), export("late", "20"));
        Files.writeString(work.resolve("broken-late.camel.yaml"), export("broken-late", "50"));
        Files.createDirectories(work.resolve("sub"));
        Files.writeString(work.resolve("sub/sub.camel.yaml"), export("sub", "50"));
        // the window: Camel has loaded the files, live edits have not taken their snapshot yet
        Consumer<Path> window = root -> {
            try {
                Files.writeString(work.resolve("late.camel.yaml"), export("late", "25"));
                Files.writeString(work.resolve("broken-late.camel.yaml"), "- templatedRoute: [unclosed\n");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        harvester = daemons.start(work, "[]\n", Map.of(
                "camel.main.routes-include-pattern", "file:routes/templates/*.camel.yaml,file:routes/harvester-*.camel.yaml,"
                        + "file:" + work.toAbsolutePath() + "/*.camel.yaml,file:" + work.toAbsolutePath() + "/sub/*.camel.yaml",
                "camel.main.routes-reload-enabled", "true",
                "camel.main.routes-reload-directory", work.toAbsolutePath().toString(),
                "camel.main.routes-reload-directory-recursive", "true"), main -> main.addMainListener(new MainListenerSupport() {
                    @Override
                    public void afterConfigure(BaseMainSupport support) {
                        // after Harvester's own listener added the service, before the context starts it
                        RouteFileReload reload = support.getCamelContext().hasService(RouteFileReload.class);
                        if (reload == null) {
                            throw new IllegalStateException("no RouteFileReload service to hook into");
                        }
                        reload.beforeSnapshot(window);
                    }
                }));
    }

    @AfterAll
    static void stopCapture() {
        log.close();
    }

    @Test
    @Order(1)
    void should_apply_an_edit_saved_between_camels_read_and_the_watchers_start() {
        await().atMost(Duration.ofSeconds(10)).until(() -> !log.containing("INFO Route file " + work.resolve("late.camel.yaml")
                + " reloaded: routes [export-late]").isEmpty());
        assertThat(run("export:late")).isEqualTo(pages(4, 25));
    }

    @Test
    @Order(2)
    void should_refuse_a_file_broken_in_that_window_and_apply_it_once_fixed() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> !log.containing("ERROR Route file " + work.resolve("broken-late.camel.yaml")
                + " not reloaded, its previous routes keep running: not valid YAML").isEmpty());
        assertThat(run("export:broken-late")).isEqualTo(pages(2, 50));

        Files.writeString(work.resolve("broken-late.camel.yaml"), export("broken-late", "20"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !log.containing("INFO Route file " + work.resolve("broken-late.camel.yaml")
                + " reloaded: routes [export-broken-late]").isEmpty());
        assertThat(run("export:broken-late")).isEqualTo(pages(5, 20));
        assertThat(log.containing("already run, declared in another file")).isEmpty();
    }

    /** Last: Camel's watcher may stop watching after it. */
    @Test
    @Order(3)
    void should_warn_when_a_watched_sub_folder_is_deleted() throws Exception {
        Files.delete(work.resolve("sub/sub.camel.yaml"));
        Files.delete(work.resolve("sub"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !log.containing("WARN Route folder " + work.resolve("sub")
                + " was deleted: Camel's file watcher may stop on that").isEmpty());
    }

    private static String export(String name, String pageSize) {
        return exports().export(name, upstream.url("/orders"), Map.of("pageSize", pageSize, "concurrency", "1")).yaml();
    }

    private static List<String> run(String pipeline) {
        upstream.resetCounters();
        Exchange exchange = harvester.runNow(pipeline);
        assertThat(exchange.getException()).isNull();
        return upstream.requestUris();
    }

    private static List<String> pages(int count, int size) {
        return IntStream.rangeClosed(1, count).mapToObj(p -> "/orders?page=" + p + "&size=" + size).toList();
    }
}
