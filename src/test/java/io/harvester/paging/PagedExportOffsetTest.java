package io.harvester.paging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.OrderRecords;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Offset/limit APIs: concurrent pages when the first answer has a total, one by one to a short page when it has none. */
@HarvesterDaemon
class PagedExportOffsetTest {

    static DaemonScope daemons;
    static HarvesterRuntime harvester;
    @AutoClose
    static FakeUpstream upstream;
    @AutoClose
    static FakeUpstream exact;

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.start().total(230).latencyMs(300);
        exact = FakeUpstream.start().total(200);
        harvester = daemons.start(ExportYaml.exports()
                .export("counted", upstream.url("/offset"), Map.of("pagination", "offset", "pageSize", "50", "concurrency", "3"))
                .export("open", upstream.url("/offset-open"), Map.of("pagination", "offset", "pageSize", "50", "concurrency", "3"))
                .export("even", exact.url("/offset-open"), Map.of("pagination", "offset", "pageSize", "50")).yaml(), Map.of());
    }

    @Test
    void should_fetch_every_offset_concurrently_when_the_first_answer_has_a_total() throws Exception {
        upstream.resetCounters();
        harvester.runNow("export:counted");
        assertThat(upstream.requestUris()).containsExactlyInAnyOrder("/offset?offset=0&limit=50", "/offset?offset=50&limit=50",
                "/offset?offset=100&limit=50", "/offset?offset=150&limit=50", "/offset?offset=200&limit=50");
        assertThat(upstream.requestUris().get(0)).isEqualTo("/offset?offset=0&limit=50");
        // the first page alone (it carries the total), then the other four at most three at a time
        assertThat(upstream.maxInFlight()).isEqualTo(3);
        assertThat(harvester.onlyCsv("counted")).isEqualTo(OrderRecords.csv(230));
    }

    @Test
    void should_fetch_one_page_after_another_to_a_short_page_without_a_total() throws Exception {
        upstream.resetCounters();
        harvester.runNow("export:open");
        assertThat(upstream.requestUris()).containsExactly("/offset-open?offset=0&limit=50", "/offset-open?offset=50&limit=50",
                "/offset-open?offset=100&limit=50", "/offset-open?offset=150&limit=50", "/offset-open?offset=200&limit=50");
        assertThat(upstream.maxInFlight()).isEqualTo(1);
        assertThat(harvester.onlyCsv("open")).isEqualTo(OrderRecords.csv(230));
        assertThat(harvester.query("select status, current_step from runs where pipeline = 'export:open'"))
                .containsExactly(Map.of("status", "completed", "current_step", "completed: 230 rows in 5 pages"));
    }

    @Test
    void should_end_on_an_empty_page_when_the_last_full_page_was_the_end() throws Exception {
        harvester.runNow("export:even");
        assertThat(exact.requestUris()).containsExactly("/offset-open?offset=0&limit=50", "/offset-open?offset=50&limit=50",
                "/offset-open?offset=100&limit=50", "/offset-open?offset=150&limit=50", "/offset-open?offset=200&limit=50");
        assertThat(harvester.onlyCsv("even")).isEqualTo(OrderRecords.csv(200));
    }
}
