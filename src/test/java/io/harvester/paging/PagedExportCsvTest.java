package io.harvester.paging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

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

/** A 30-page export writes exactly the upstream's rows, in API order, and records the run. */
@HarvesterDaemon
class PagedExportCsvTest {

    static DaemonScope daemons;
    static HarvesterRuntime harvester;
    @AutoClose
    static FakeUpstream upstream;

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.start().total(30_000);
        harvester = daemons.start(ExportYaml.exports()
                .export("orders", upstream.url("/orders"), Map.of("pageSize", "1000", "concurrency", "8"))
                .export("nested", upstream.url("/nested/orders"), Map.of("pageSize", "7", "totalField", "data.total",
                        "listField", "data.list", "columns", "id,customer,express")), Map.of());
    }

    @Test
    void should_write_every_row_in_api_order_byte_for_byte() throws Exception {
        upstream.resetCounters();
        harvester.runNow("export:orders");

        List<Path> files = harvester.csvFiles("orders");
        assertThat(files).hasSize(1);
        byte[] written = Files.readAllBytes(files.get(0));
        byte[] expected = OrderRecords.csv(30_000).getBytes(StandardCharsets.UTF_8);
        assertThat(written.length).isEqualTo(expected.length);
        assertThat(written).isEqualTo(expected);
        assertThat(upstream.requests()).isEqualTo(30);

        Map<String, Object> run = harvester.query("select * from runs where pipeline = 'export:orders'").get(0);
        assertThat(run).containsEntry("status", "completed").containsEntry("trigger", "api")
                .containsEntry("progress", 100).containsEntry("error", null);
        assertThat(harvester.query("select name, status, records from run_steps where run_id = " + run.get("id")
                + " order by ordinal")).containsExactly(
                Map.of("name", "fetch", "status", "completed", "records", 30L),
                Map.of("name", "publish", "status", "completed", "records", 30_000L));
        Map<String, Object> output = harvester.query("select * from run_outputs where \"primary\" and run_id = " + run.get("id")).get(0);
        assertThat(output).containsEntry("path", files.get(0).getFileName().toString())
                .containsEntry("bytes", (long) expected.length).containsEntry("rows", 30_000L)
                .containsEntry("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(expected)));
        assertThat(harvester.query("select result->>'pagesFetched' as fetched, result->>'pagesFailed' as failed "
                + "from run_steps where ordinal = 1 and run_id = " + run.get("id")))
                .containsExactly(Map.of("fetched", "30", "failed", "0"));
    }

    @Test
    void should_read_dotted_fields_and_a_total_given_as_a_string() throws Exception {
        upstream.total(30);
        try {
            harvester.runNow("export:nested");
        } finally {
            upstream.total(30_000);
        }
        StringBuilder expected = new StringBuilder("id,customer,express\r\n");
        for (long id = 1; id <= 30; id++) {
            expected.append(id).append(",\"Müller, Zoë #").append(id).append("\",").append(id % 2 == 0).append("\r\n");
        }
        assertThat(harvester.onlyCsv("nested")).isEqualTo(expected.toString());
        assertThat(harvester.query("select status from runs where pipeline = 'export:nested'"))
                .containsExactly(Map.of("status", "completed"));
    }
}
