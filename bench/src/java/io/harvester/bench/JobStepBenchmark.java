package io.harvester.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import io.harvester.support.HarvesterRuntime;
import io.harvester.support.TestStorage;
import io.harvester.runs.TriggerKind;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * What a job's bookkeeping costs per step (bench/run.sh jobs; not a test): the demo job
 * test-results-sync run by Harvester (run row, policy queries, one row per step, heartbeat) against the
 * same eight SQL statements run by a plain JDBC loop on one open connection, alternating, on the same
 * freshly re-seeded tables each time.
 */
public final class JobStepBenchmark {

    private static final int WARMUP = 5;
    private static final int ROUNDS = 30;
    private static final String RESET = """
            truncate demo.c_failure_reasons, demo.b_failure_reasons, demo.c_testitems, demo.b_testitems,
                     demo.c_testcases, demo.b_testcases, demo.version_uris, demo.stg_test_results restart identity;
            insert into demo.stg_test_results select * from demo.stg_seed""";

    private JobStepBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createDirectories(Path.of("target", "bench", "jobs"));
        String route = Files.readString(Path.of("routes/demo/test-results-sync.camel.yaml"));
        List<String> statements = sqlOf(new Load(LoadSettings.builder().build()).loadFromString(route), new ArrayList<>());
        try (HarvesterRuntime harvester = HarvesterRuntime.start(work, route, Map.of("harvester.demo.run-at-startup", "false",
                "harvester.jobs.test-results-sync.cron", ""))) {
            harvester.execute("create table demo.stg_seed as select * from demo.stg_test_results");
            List<Double> plain = new ArrayList<>();
            List<Double> ours = new ArrayList<>();
            try (Connection c = DriverManager.getConnection(harvester.dbUrl(), TestStorage.get().user(), "");
                 Statement s = c.createStatement()) {
                for (int round = 0; round < WARMUP + ROUNDS; round++) {
                    harvester.execute(RESET);
                    long start = System.nanoTime();
                    for (String sql : statements) {
                        s.executeUpdate(sql);
                    }
                    double plainMs = (System.nanoTime() - start) / 1e6;
                    harvester.execute(RESET);
                    start = System.nanoTime();
                    harvester.fire("job:test-results-sync", TriggerKind.MANUAL, Map.of());
                    double oursMs = (System.nanoTime() - start) / 1e6;
                    if (round >= WARMUP) {
                        plain.add(plainMs);
                        ours.add(oursMs);
                    }
                }
            }
            long completed = (Long) harvester.query("select count(*) as n from runs where status = 'completed'").get(0).get("n");
            if (completed != WARMUP + ROUNDS) {
                throw new IllegalStateException("expected " + (WARMUP + ROUNDS) + " completed runs, found " + completed);
            }
            double plainMedian = median(plain);
            double oursMedian = median(ours);
            System.out.println("| steps | plain JDBC ms (median of " + ROUNDS + ") | Harvester job ms (median) |"
                    + " overhead per step ms | aim |");
            System.out.println("|---|---|---|---|---|");
            System.out.printf("| %d | %.1f | %.1f | %.2f | ≤ 5 |%n", statements.size(), plainMedian, oursMedian,
                    (oursMedian - plainMedian) / statements.size());
        }
        System.exit(0);
    }

    /** Every {@code sql:} endpoint of the route, in route order, as the statement it runs. */
    private static List<String> sqlOf(Object node, List<String> found) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> {
                if ("uri".equals(key) && value instanceof String uri && uri.startsWith("sql:")) {
                    found.add(uri.substring("sql:".length()));
                } else {
                    sqlOf(value, found);
                }
            });
        } else if (node instanceof List<?> list) {
            list.forEach(item -> sqlOf(item, found));
        }
        return found;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
