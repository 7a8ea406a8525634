package io.harvester.reload;

import static io.harvester.reload.FileNames.absolute;
import static io.harvester.reload.FileNames.display;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.apache.camel.util.AntPathMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The folder Camel's file watcher watches ({@code camel.main.routes-reload-directory}): which of its files
 * are route files to apply (neither hidden nor excluded by {@code camel.main.routes-exclude-pattern}), how
 * they read, and its sub-folders, whose deletion stops Camel's watcher.
 */
final class WatchedFolder {

    /** Live reload's lines carry one name, as they did before it was split in stages. */
    private static final Logger LOG = LoggerFactory.getLogger(RouteFileReload.class);

    private final Path root;
    private final boolean recursive;
    private final List<String> excluded;
    /** Sub-folders watched since start-up: Camel's watcher stops for good when one is deleted. */
    private final Set<Path> folders = ConcurrentHashMap.newKeySet();

    WatchedFolder(String folder, boolean recursive, String excludePatterns) {
        this.root = absolute(Path.of(folder.startsWith("file:") ? folder.substring(5) : folder));
        this.recursive = recursive;
        this.excluded = excludePatterns == null ? List.of() : Arrays.stream(excludePatterns.split(","))
                .map(String::trim).filter(p -> !p.isEmpty()).map(p -> p.replaceFirst("^(file|classpath):", "")).toList();
    }

    Path root() {
        return root;
    }

    /** Takes note of the sub-folders watched now, to tell when one is deleted. */
    void noteSubFolders() throws IOException {
        if (recursive && Files.isDirectory(root)) {
            try (Stream<Path> all = Files.walk(root)) {
                all.filter(Files::isDirectory).filter(d -> !d.equals(root)).map(FileNames::absolute).forEach(folders::add);
            }
        }
    }

    /** The route files in the folder now, sorted. */
    List<Path> routeFiles() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> all = recursive ? Files.walk(root) : Files.list(root)) {
            return all.filter(Files::isRegularFile).filter(RouteDeclarations::isRouteFile)
                    .filter(f -> !f.getFileName().toString().startsWith(".")).map(FileNames::absolute)
                    .filter(f -> !isExcluded(f)).sorted().toList();
        }
    }

    /** Whether a change the watcher reported is no route file's (said at DEBUG). */
    boolean ignores(Path file) {
        if (file.getFileName().toString().startsWith(".")) {
            // editors' lock and swap files (.#orders.camel.yaml): never route files
            LOG.debug("Route file {} changed; hidden (editor lock or swap file), ignored", display(file));
            return true;
        }
        if (isExcluded(file)) {
            LOG.debug("Route file {} changed; it is excluded (camel.main.routes-exclude-pattern)", display(file));
            return true;
        }
        return false;
    }

    /**
     * Camel's file watcher (FileWatcherResourceReloadStrategy) stops watching altogether when a watched
     * sub-folder is deleted (rm -r, a branch switch): said loudly, as nothing else would tell.
     */
    void warnDeletedFolders() {
        for (Path folder : List.copyOf(folders)) {
            if (!Files.isDirectory(folder) && folders.remove(folder)) {
                LOG.warn("Route folder {} was deleted: Camel's file watcher may stop on that, and then no later edit of a"
                        + " route file is applied until Harvester restarts", display(folder));
            }
        }
    }

    private boolean isExcluded(Path file) {
        String relative = display(file);
        AntPathMatcher matcher = AntPathMatcher.INSTANCE;
        return excluded.stream().anyMatch(pattern -> matcher.match(pattern, relative));
    }

    /** The file's text; null when it does not exist (deleted). */
    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The file's text; null when it does not exist or cannot be read. */
    static String readQuietly(Path file) {
        try {
            return read(file);
        } catch (UncheckedIOException e) {
            return null;
        }
    }
}
