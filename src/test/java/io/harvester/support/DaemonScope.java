package io.harvester.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.apache.camel.main.Main;

/**
 * The daemons of one test class or one test ({@link HarvesterDaemon}): all on the scope's database, so a
 * second start is a restart on the same data (or a second node of a cluster), and all stopped when the
 * scope ends. Its folder is the daemons' working directory unless a test names another.
 */
public final class DaemonScope implements AutoCloseable {

    private final String name;
    private final List<HarvesterRuntime> started = new ArrayList<>();
    private String database;
    private Path folder;

    DaemonScope(String name) {
        this.name = name;
    }

    /** Starts a daemon with these pipelines in this scope's folder; see {@link #start(Path, String, Map)}. */
    public HarvesterRuntime start(ExportYaml routes, Map<String, String> properties) {
        return start(folder(), routes.yaml(), properties);
    }

    /** Starts a daemon in this scope's folder; see {@link #start(Path, String, Map)}. */
    public HarvesterRuntime start(String routesYaml, Map<String, String> properties) {
        return start(folder(), routesYaml, properties);
    }

    /** Starts a daemon with the given routes (YAML text) and extra properties, working in {@code workDir}. */
    public HarvesterRuntime start(Path workDir, String routesYaml, Map<String, String> properties) {
        return start(workDir, routesYaml, properties, main -> { });
    }

    /** Started as usual, with {@code beforeStart} given the daemon's Main once configured, before it starts. */
    public HarvesterRuntime start(Path workDir, String routesYaml, Map<String, String> properties, Consumer<Main> beforeStart) {
        HarvesterRuntime daemon = HarvesterRuntime.start(workDir, routesYaml, properties, database(), beforeStart);
        synchronized (started) {
            started.add(daemon);
        }
        return daemon;
    }

    /** The JDBC URL of this scope's database (with Harvester's schema), made on first use. */
    public synchronized String database() {
        if (database == null) {
            database = TestStorage.get().newDatabase();
        }
        return database;
    }

    /** A folder of this scope's own, removed with it. */
    public synchronized Path folder() {
        if (folder == null) {
            try {
                folder = Files.createTempDirectory("harvester-" + name + "-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return folder;
    }

    /** Stops every daemon of the scope, the latest first, and removes its folder. */
    @Override
    public void close() {
        List<HarvesterRuntime> daemons;
        synchronized (started) {
            daemons = new ArrayList<>(started);
        }
        RuntimeException failed = null;
        for (int i = daemons.size() - 1; i >= 0; i--) {
            try {
                daemons.get(i).close();
            } catch (RuntimeException e) {
                failed = failed == null ? e : failed;
            }
        }
        if (folder != null) {
            try (Stream<Path> all = Files.walk(folder)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                failed = failed == null ? new UncheckedIOException(e) : failed;
            }
        }
        if (failed != null) {
            throw failed;
        }
    }
}
