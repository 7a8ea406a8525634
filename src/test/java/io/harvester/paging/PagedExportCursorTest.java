package io.harvester.paging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.OrderRecords;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Cursor and next-link APIs are followed page by page to their end. */
@HarvesterDaemon
class PagedExportCursorTest {

    static DaemonScope daemons;
    static HarvesterRuntime harvester;
    @AutoClose
    static FakeUpstream upstream;

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.start().total(230);
        harvester = daemons.start(ExportYaml.exports()
                .export("bycursor", upstream.url("/cursor?size=50"), Map.of("pagination", "cursor",
                        "listField", "items", "cursorField", "next", "cursorParam", "cursor"))
                .export("bylink", upstream.url("/links?size=50"), Map.of("pagination", "cursor",
                        "listField", "items", "cursorField", "links.next")), Map.of());
    }

    @Test
    void should_follow_a_cursor_parameter_to_the_end() throws Exception {
        upstream.resetCounters();
        harvester.runNow("export:bycursor");
        assertThat(upstream.requests()).isEqualTo(5);
        assertThat(upstream.maxInFlight()).isEqualTo(1);
        assertThat(harvester.onlyCsv("bycursor")).isEqualTo(OrderRecords.csv(230));
    }

    @Test
    void should_follow_relative_next_links_to_the_end() throws Exception {
        upstream.resetCounters();
        harvester.runNow("export:bylink");
        assertThat(upstream.requests()).isEqualTo(5);
        assertThat(harvester.onlyCsv("bylink")).isEqualTo(OrderRecords.csv(230));
        assertThat(harvester.query("select status from runs where pipeline = 'export:bylink'"))
                .containsExactly(Map.of("status", "completed"));
    }
}
