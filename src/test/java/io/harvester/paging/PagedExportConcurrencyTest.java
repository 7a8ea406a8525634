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

/** Against a slow upstream the requests in flight reach the export's concurrency and never exceed it. */
@HarvesterDaemon
class PagedExportConcurrencyTest {

    static DaemonScope daemons;
    static HarvesterRuntime harvester;
    @AutoClose
    static FakeUpstream upstream;

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.start().total(400).latencyMs(80);
        harvester = daemons.start(ExportYaml.exports()
                .export("four", upstream.url("/orders"), Map.of("pageSize", "10", "concurrency", "4"))
                .export("seven", upstream.url("/orders"), Map.of("pageSize", "10", "concurrency", "7")), Map.of());
    }

    @Test
    void should_keep_exactly_concurrency_requests_in_flight() throws Exception {
        upstream.resetCounters();
        harvester.runNow("export:four");
        assertThat(upstream.maxInFlight()).isEqualTo(4);
        assertThat(upstream.requests()).isEqualTo(40);

        upstream.resetCounters();
        harvester.runNow("export:seven");
        assertThat(upstream.maxInFlight()).isEqualTo(7);
        assertThat(upstream.requests()).isEqualTo(40);

        assertThat(harvester.onlyCsv("seven")).isEqualTo(OrderRecords.csv(400));
    }
}
