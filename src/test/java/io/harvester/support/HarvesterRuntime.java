package io.harvester.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.Stream;

import io.harvester.Harvester;

import io.harvester.runs.TriggerKind;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;

/**
 * The daemon as production starts it ({@link Harvester#create()}), on a database of its own, with the
 * shipped templates and error handling plus the test's own YAML routes, and timers shrunk through
 * properties.
 */
public final class HarvesterRuntime implements AutoCloseable {

    /** The API token every test daemon expects (Authorization: Bearer ...). */
    public static final String API_TOKEN = "test-api-token";

    private final Main main;
    private final String dbUrl;
    private final String dbUser;
    private final Path outputDir;
    private final int port;
    private boolean closed;

    private HarvesterRuntime(Main main, String dbUrl, String dbUser, Path outputDir, int port) {
        this.main = main;
        this.dbUrl = dbUrl;
        this.dbUser = dbUser;
        this.outputDir = outputDir;
        this.port = port;
    }

    /**
     * Starts Harvester with the given routes (YAML text) and extra properties on a new database. Tests start
     * theirs through {@link HarvesterDaemon}, which stops them; this is for the benchmarks' own lifecycles.
     */
    public static HarvesterRuntime start(Path workDir, String routesYaml, Map<String, String> properties) {
        return start(workDir, routesYaml, properties, TestStorage.get().newDatabase(), main -> { });
    }

    /** Started on the given database, with {@code beforeStart} given the daemon's Main once configured, before it starts. */
    public static HarvesterRuntime start(Path workDir, String routesYaml, Map<String, String> properties, String dbUrl,
                                         Consumer<Main> beforeStart) {
        TestStorage storage = TestStorage.get();
        try {
            Files.createDirectories(workDir);
            Path routes = workDir.resolve("test-routes.camel.yaml");
            Files.writeString(routes, routesYaml);
            Path output = workDir.resolve("output");
            int port = TestPorts.next();
            Properties props = new Properties();
            props.put("harvester.embedded", "false");
            props.put("harvester.db.url", dbUrl);
            props.put("harvester.db.user", storage.user());
            props.put("harvester.db.password", "");
            props.put("harvester.redis.url", storage.redisUrl());
            props.put("harvester.output-dir", output.toString());
            props.put("camel.server.port", String.valueOf(port));
            props.put("camel.main.routes-include-pattern", "file:routes/templates/*.camel.yaml,"
                    + "file:routes/harvester-*.camel.yaml,file:" + routes.toAbsolutePath());
            props.put("camel.main.routes-reload-enabled", "false");
            props.put("harvester.http.backoff-initial-ms", "20");
            props.put("harvester.http.backoff-max-ms", "200");
            props.put("camel.resilience4j.minimum-number-of-calls", "5");
            props.put("camel.resilience4j.sliding-window-size", "10");
            props.put("camel.resilience4j.wait-duration-in-open-state", "60");
            // no daily retention sweep in the middle of a test's runs; tests run it on demand
            props.put("harvester.runs.retention-cron", "");
            props.put("harvester.dispatch.cron", "");
            props.put("harvester.dispatch.run-at-startup", "false");
            props.put("harvester.dispatch.sweep-cron", "");
            // tests move and release delayed tasks by hand, on a clock of their own
            props.put("harvester.dispatch.delay-timers", "false");
            props.put("harvester.api.token", API_TOKEN);
            // the Camel CLI's files would go to the real ~/.camel (CliConnectorIT tests them on the jar)
            props.put("harvester.cli-connector.enabled", "false");
            // a test that clears the token must not leave a generated one in the working directory
            props.put("harvester.api.generate-token", "false");
            // Redis is shared by every test: each database gets keys of its own, the same after a restart on it
            String space = "test:" + dbUrl.substring(dbUrl.lastIndexOf('/') + 1) + ":";
            props.put("harvester.status.key-prefix", space + "status:");
            props.put("harvester.status.queue", space + "status-queue");
            props.put("harvester.status.record-prefix", space + "task:");
            props.put("harvester.dispatch.delay-key", space + "delayed");
            props.putAll(properties);
            Main main = Harvester.create();
            main.setOverrideProperties(props);
            beforeStart.accept(main);
            main.start();
            return new HarvesterRuntime(main, dbUrl, storage.user(), output, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("Harvester did not start: " + e.getMessage(), e);
        }
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public int port() {
        return port;
    }

    public Path outputDir() {
        return outputDir;
    }

    /**
     * Every file in a pipeline's output folder (temporary ones included), sorted; none when it has no
     * folder. Folders in it (runs/, the runs' log files) are not listed.
     */
    public List<Path> outputFiles(String pipeline) throws IOException {
        Path dir = outputDir().resolve(pipeline);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** The published CSV files of an export (temporary files excluded). */
    public List<Path> csvFiles(String export) throws IOException {
        return outputFiles(export).stream().filter(p -> p.getFileName().toString().endsWith(".csv")).toList();
    }

    /** The content of an export's only published CSV. */
    public String onlyCsv(String export) throws IOException {
        List<Path> csv = csvFiles(export);
        if (csv.size() != 1) {
            throw new AssertionError("expected one CSV of " + export + ", found " + csv);
        }
        return Files.readString(csv.get(0));
    }

    /** The one run of a pipeline ({@code id}, {@code status}, {@code error}); fails when there is not exactly one. */
    public Map<String, Object> onlyRun(String pipeline) {
        List<Map<String, Object>> runs = query("select id, status, error from runs where pipeline = '" + pipeline + "'");
        if (runs.size() != 1) {
            throw new AssertionError("expected one run of " + pipeline + ", found " + runs);
        }
        return runs.get(0);
    }

    /** Runs a pipeline now, as the API would, and waits for it to end. */
    public Exchange runNow(String pipeline) {
        return fire(pipeline, TriggerKind.API, Map.of());
    }

    /** Triggers a pipeline as {@code kind} would (a schedule tick, a manual start), with extra headers; waits for the run. */
    public Exchange fire(String pipeline, TriggerKind kind, Map<String, Object> headers) {
        ProducerTemplate template = context().createProducerTemplate();
        try {
            return template.send("trigger:" + pipeline, e -> {
                e.getMessage().setHeaders(new java.util.HashMap<>(headers));
                e.getMessage().setHeader(TriggerKind.HEADER, kind.value());
            });
        } finally {
            try {
                template.stop();
            } catch (Exception ignored) {
                // a stopped template holds nothing
            }
        }
    }

    /** Rows of a query as column-name to value maps, in query order. */
    public List<Map<String, Object>> query(String sql) {
        try (Connection c = DriverManager.getConnection(dbUrl, dbUser, "");
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData meta = rs.getMetaData();
            List<Map<String, Object>> rows = new ArrayList<>();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.put(meta.getColumnLabel(i), rs.getObject(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    public void execute(String sql) {
        try (Connection c = DriverManager.getConnection(dbUrl, dbUser, ""); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Whether a statement of this database that contains {@code part} waits on a lock (one a test holds). */
    public boolean waitsOnLock(String part) {
        return !query("select pid from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()"
                + " and query like '%" + part + "%' and pid <> pg_backend_pid()").isEmpty();
    }

    public String dbUrl() {
        return dbUrl;
    }

    /** Stops the daemon (once); the database stays readable through {@link #query}. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            main.stop();
        } catch (Exception e) {
            throw new IllegalStateException("Harvester did not stop cleanly", e);
        }
    }
}
