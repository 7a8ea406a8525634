package io.harvester.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * One daemon and one fake upstream per test class: subclasses set {@link #upstream} and call
 * {@link #startDaemon} in {@code @BeforeAll}; both are stopped after the class.
 */
public abstract class DaemonTestBase {

    @TempDir
    protected static Path work;
    protected static FakeUpstream upstream;
    protected static HarvesterRuntime harvester;

    protected static void startDaemon(ExportYaml exports, Map<String, String> properties) {
        harvester = HarvesterRuntime.start(work, exports.yaml(), properties);
    }

    @AfterAll
    static void stopDaemon() {
        if (harvester != null) {
            harvester.close();
            harvester = null;
        }
        if (upstream != null) {
            upstream.close();
            upstream = null;
        }
    }

    /** The one run of a pipeline ({@code id}, {@code status}, {@code error}); fails when there is not exactly one. */
    protected static Map<String, Object> onlyRun(String pipeline) {
        List<Map<String, Object>> runs = harvester.query("select id, status, error from runs where pipeline = '" + pipeline + "'");
        if (runs.size() != 1) {
            throw new AssertionError("expected one run of " + pipeline + ", found " + runs);
        }
        return runs.get(0);
    }

    /** The published CSV files of an export (temporary files excluded). */
    protected static List<Path> csvFiles(String export) throws IOException {
        return files(export).stream().filter(p -> p.getFileName().toString().endsWith(".csv")).toList();
    }

    /** Every file in an export's folder, temporary ones included. */
    protected static List<Path> files(String export) throws IOException {
        return harvester.outputFiles(export);
    }

    /** The content of an export's only published CSV. */
    protected static String onlyCsv(String export) throws IOException {
        List<Path> csv = csvFiles(export);
        if (csv.size() != 1) {
            throw new AssertionError("expected one CSV of " + export + ", found " + csv);
        }
        return Files.readString(csv.get(0));
    }
}
