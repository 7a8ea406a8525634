package io.harvester.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.awaitility.Awaitility;

/**
 * The built jar in a real process, in a fresh folder laid out as docs/layout.md says (properties and
 * routes copied from the repository). {@link #prod()} points it at the test's PostgreSQL and Redis,
 * so its runs can be read after the process is gone.
 */
public final class DaemonProcess implements AutoCloseable {

    private final Path folder;
    private final int port = TestPorts.next();
    private final Map<String, String> environment = new HashMap<>();
    private String dbUrl;
    private boolean portFromEnvironment;
    private boolean cliConnector;
    private Process process;

    private DaemonProcess(Path folder) {
        this.folder = folder;
    }

    /** A folder with the repository's properties and routes (demo routes included). */
    public static DaemonProcess prepare() {
        try {
            Path repo = Path.of(System.getProperty("harvester.repo"));
            Path folder = Files.createTempDirectory("harvester-process");
            // nobody (who runs the embedded PostgreSQL when we are root) must be able to enter it
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
            for (String file : List.of("application.properties", "application-dev.properties", "application-prod.properties")) {
                Files.copy(repo.resolve(file), folder.resolve(file));
            }
            copyTree(repo.resolve("routes"), folder.resolve("routes"));
            return new DaemonProcess(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The prod profile on a fresh database of the test PostgreSQL and the test Redis. */
    public DaemonProcess prod() {
        return prod(TestStorage.get().newDatabase());
    }

    /** The prod profile on the given database (another daemon's {@link #dbUrl()}, to play a cluster). */
    public DaemonProcess prod(String dbUrl) {
        TestStorage storage = TestStorage.get();
        this.dbUrl = dbUrl;
        environment.put("CAMEL_MAIN_PROFILE", "prod");
        environment.put("HARVESTER_DB_URL", dbUrl);
        environment.put("HARVESTER_DB_USER", storage.user());
        environment.put("HARVESTER_REDIS_URL", storage.redisUrl());
        return this;
    }

    public DaemonProcess env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** Writes (or replaces) a file under routes/. */
    public DaemonProcess routes(String file, String content) {
        try {
            Path target = folder.resolve("routes").resolve(file);
            Files.createDirectories(target.getParent());
            Files.writeString(target, content);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Gives the HTTP port through the environment ({@code CAMEL_SERVER_PORT}) instead of a -D option. */
    public DaemonProcess portFromEnvironment() {
        portFromEnvironment = true;
        return env("CAMEL_SERVER_PORT", String.valueOf(port));
    }

    /** Leaves camel-cli-connector on (it is off in the other process tests: a status task every 2 s). */
    public DaemonProcess cliConnector() {
        cliConnector = true;
        return this;
    }

    public DaemonProcess start(String... jvmOptions) {
        Path jar = Path.of(System.getProperty("harvester.jar"));
        List<String> options = new ArrayList<>();
        JarClassArchive.of(jar).ifPresent(archive -> options.add("-XX:SharedArchiveFile=" + archive));
        options.addAll(List.of(jvmOptions));
        return launch(options.toArray(String[]::new));
    }

    /** Starts the jar without the class-data archive (which {@link JarClassArchive} makes this way). */
    DaemonProcess launch(String... jvmOptions) {
        return launch(true, jvmOptions);
    }

    /**
     * Starts the jar as a user does ({@code java -jar}, no class-data archive, the JVM's own compilers): for
     * benchmarks of start-up.
     */
    public DaemonProcess startAsUser(String... jvmOptions) {
        return launch(false, jvmOptions);
    }

    private DaemonProcess launch(boolean quickCompiler, String... jvmOptions) {
        // a test daemon lives for seconds: the quick compiler alone starts it on about half the CPU of tiered
        // compilation (C2 would compile for longer than it runs), which matters with two test forks on 2 cores
        List<String> command = new ArrayList<>(List.of("java"));
        if (quickCompiler) {
            command.add("-XX:TieredStopAtLevel=1");
        }
        if (!cliConnector) {
            command.add("-Dharvester.cli-connector.enabled=false");
        }
        if (!portFromEnvironment) {
            command.add("-Dcamel.server.port=" + port);
        }
        // camel-cli-connector writes <user.home>/.camel/<pid>*.json: the folder's own home, not the real one
        command.add("-Duser.home=" + home());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-jar", System.getProperty("harvester.jar")));
        ProcessBuilder builder = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(folder.resolve("console.log").toFile()));
        builder.environment().putAll(environment);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /**
     * Waits until /observe/health answers 200: the context has started its routes (the HTTP server and the
     * heartbeats are up earlier, while routes are still starting).
     */
    public DaemonProcess awaitHealthy(Duration atMost) {
        HttpClient http = HttpClient.newHttpClient();
        Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        return this;
    }

    public String dbUrl() {
        return dbUrl;
    }

    public Process process() {
        return process;
    }

    /** The process's user.home: {@code <folder>/home}. */
    public Path home() {
        return folder.resolve("home");
    }

    public Path folder() {
        return folder;
    }

    public int port() {
        return port;
    }

    /** logs/harvester.log as it is now ("" before it exists). */
    public String log() {
        return read(folder.resolve("logs").resolve("harvester.log"));
    }

    public String console() {
        return read(folder.resolve("console.log"));
    }

    /** The ERROR lines of the log file. */
    public List<String> errorLines() {
        return log().lines().filter(l -> l.matches("^\\S+ \\S+ ERROR .*")).toList();
    }

    /** Every file under a folder of the daemon's (none when it does not exist), relative names, sorted. */
    public List<String> files(String dir) {
        Path root = folder.resolve(dir);
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rows of a query on the daemon's database (prod only), as column-name to value maps. */
    public List<Map<String, Object>> query(String sql) {
        try (Connection c = DriverManager.getConnection(dbUrl, TestStorage.get().user(), "");
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<Map<String, Object>> rows = new ArrayList<>();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Runs a statement on the daemon's database (prod only). */
    public void execute(String sql) {
        try (Connection c = DriverManager.getConnection(dbUrl, TestStorage.get().user(), "");
             Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Waits for the process to end; its exit code, or null when it was still running after the wait. */
    public Integer exitCodeWithin(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : null;
    }

    /**
     * Stops the process gently (SIGTERM: its embedded servers stop with it), keeps its console and log under
     * {@code target/daemon-logs/<folder>/} (what a failed test's daemon said, after the folder is gone), then
     * deletes the folder.
     */
    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
        Path kept = Path.of("target", "daemon-logs", folder.getFileName().toString());
        Files.createDirectories(kept);
        Files.writeString(kept.resolve("console.log"), console());
        Files.writeString(kept.resolve("harvester.log"), log());
        try (Stream<Path> all = Files.walk(folder)) {
            all.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path source : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
