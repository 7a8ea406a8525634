package io.harvester.runs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.harvester.infra.InstanceId;
import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.OrderRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a killed process leaves (a live run row, a temporary file) is cleaned up by the next start. */
@HarvesterDaemon(scope = HarvesterDaemon.Scope.METHOD)
class RestartRecoveryTest {

    DaemonScope daemons;

    @TempDir
    Path work;

    @Test
    void should_abandon_our_dead_runs_and_remove_their_temporary_files() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start().total(120)) {
            String routes = ExportYaml.exports()
                    .export("orders", upstream.url("/orders"), Map.of("pageSize", "50")).yaml();
            HarvesterRuntime first = daemons.start(work, routes, Map.of());
            first.execute("insert into runs (pipeline, status, trigger, owner, started_at) values "
                    + "('export:orders', 'running', 'schedule', '" + InstanceId.get() + "', now()), "
                    + "('export:elsewhere', 'running', 'schedule', 'another-node', now())");
            List<Map<String, Object>> live = first.query("select id, owner from runs order by id");
            first.close();
            Path dir = first.outputDir().resolve("orders");
            Files.createDirectories(dir);
            Path ours = dir.resolve(".orders-20260101-000000.run" + live.get(0).get("id") + ".csv.tmp");
            Path theirs = dir.resolve(".orders-20260101-000000.run" + live.get(1).get("id") + ".csv.tmp");
            Files.writeString(ours, "id,customer\r\n1,half a ro");
            Files.writeString(theirs, "still being written");

            HarvesterRuntime second = daemons.start(work, routes, Map.of());
            try {
                assertThat(ours).doesNotExist();
                assertThat(theirs).exists();
                assertThat(second.query("select status, error from runs where id = " + live.get(0).get("id")))
                        .containsExactly(Map.of("status", "abandoned",
                                "error", "abandoned: the Harvester instance running it stopped before it finished"));
                assertThat(second.query("select status from runs where id = " + live.get(1).get("id")))
                        .containsExactly(Map.of("status", "running"));

                second.runNow("export:orders");

                assertThat(second.query("select status from runs where pipeline = 'export:orders' order by id"))
                        .containsExactly(Map.of("status", "abandoned"), Map.of("status", "completed"));
                try (var files = Files.list(dir)) {
                    List<Path> csvs = files.filter(p -> p.toString().endsWith(".csv")).toList();
                    assertThat(csvs).hasSize(1);
                    assertThat(Files.readString(csvs.get(0))).isEqualTo(OrderRecords.csv(120));
                }
            } finally {
                second.close();
            }
        }
    }
}
