package io.harvester.reload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.harvester.reload.RouteDeclarations.Template;
import io.harvester.reload.RouteDeclarations.Use;
import io.harvester.trigger.TriggerComponent;
import org.apache.camel.CamelContext;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.RouteTemplateParameterDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.util.AntPathMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live route edits ({@code camel.main.routes-reload-enabled}): a route file saved, added or deleted under
 * the watched folder is applied to the running daemon file by file (files changed together as one batch,
 * see {@link #applyPending}), through Harvester's own steps
 * instead of Camel's {@code RouteWatcherReloadStrategy.onRouteReload}, which in Camel 4.17 leaves
 * {@code templatedRoute}s out of a reload (and, removing all routes, would drop every pipeline).
 * <ol>
 * <li>Camel's file watcher notices the change; events of one save are gathered for {@value #QUIET_MS} ms.</li>
 * <li>The new text is checked as at start-up ({@link RouteDeclarations}, {@link RouteFiles#checkUses}): a
 * file that does not parse, names an unknown template or parameter, or a pipeline declared elsewhere is
 * not applied; an ERROR names the file, the line and the reason, and the previous routes keep running.</li>
 * <li>While a route the file declared (or, for a template file, a route made from its templates) has a
 * run in progress (an in-flight exchange), the change waits: an INFO says for which runs, and it is
 * applied as soon as they end. A run is never cut off nor half-configured by an edit; the next run uses
 * the new file. From the last look until the swap is done the file's pipelines take no new run
 * ({@link TriggerComponent#hold}), so none can slip in between.</li>
 * <li>The file's old routes (and templates) are stopped and removed, the new text is loaded: its routes,
 * templates and templated routes, whose beans are made anew ({@code initMethod}) with the new
 * parameters. If Camel refuses the new routes, whatever of them was added is removed and the previous
 * text is loaded again (ERROR naming file and reason).</li>
 * </ol>
 * Only files declaring routes, templated routes and route templates are applied live; a file with
 * anything else (rest, routeConfiguration, beans, a templatedRoute without id) is left for the next restart,
 * with a WARN; so is a file of templates one of those files uses, as its routes would have to be reloaded.
 */
public final class RouteFileReload extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(RouteFileReload.class);
    /** Editors save in several events (truncate, write, rename): they are gathered this long. */
    static final long QUIET_MS = 200;
    /** How long a route file that became empty may stay so before it is applied as empty. */
    static final long EMPTY_GRACE_MS = 2000;
    /** How often a change waiting for runs to end looks again. */
    static final long RECHECK_MS = 250;

    /** A route file as last applied: its text and what it declares. */
    private record Applied(String text, RouteDeclarations declarations) {
    }

    private final CamelContext context;
    private final Path root;
    private final boolean recursive;
    private final List<String> excluded;
    private final Map<Path, Applied> applied = new ConcurrentHashMap<>();
    /** Route files as Camel loaded them at start-up ({@link LoadedRouteFiles}). */
    private final Map<Path, String> loaded;
    /** Test seam: called when the service starts, before it takes its snapshot of the route files. */
    private volatile Consumer<Path> beforeSnapshot;
    private final Set<Path> pending = ConcurrentHashMap.newKeySet();
    /** Changes whose wait for runs was logged already (once per change, not once per look). */
    private final Set<Path> waiting = ConcurrentHashMap.newKeySet();
    /** Route files found empty (after having text), since when. */
    private final Map<Path, Long> emptySince = new ConcurrentHashMap<>();
    /** Sub-folders watched since start-up: Camel's watcher stops for good when one is deleted. */
    private final Set<Path> folders = ConcurrentHashMap.newKeySet();
    /** Files the checks refused (reported): tried again, quietly, after any later change. */
    private final Set<Path> refused = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService executor;
    private ScheduledFuture<?> next;
    /** Changes the watcher reported (tests wait on it). */
    private final AtomicLong changes = new AtomicLong();
    /** Test seam: called on this service's thread right after a changed file was read, before it is applied. */
    private volatile Consumer<Path> afterRead;

    RouteFileReload(CamelContext context, String folder, boolean recursive, String excludePatterns, Map<Path, String> loaded) {
        this.context = context;
        this.loaded = loaded;
        this.root = absolute(Path.of(folder.startsWith("file:") ? folder.substring(5) : folder));
        this.recursive = recursive;
        this.excluded = excludePatterns == null ? List.of() : Arrays.stream(excludePatterns.split(","))
                .map(String::trim).filter(p -> !p.isEmpty()).map(p -> p.replaceFirst("^(file|classpath):", "")).toList();
    }

    /**
     * When {@code camel.main.routes-reload-enabled} made camel-main add its {@link RouteWatcherReloadStrategy},
     * keeps its file watcher (folder, sub-folders, pattern) but hands the changes it sees to Harvester's
     * steps instead of Camel's reload.
     */
    public static void takeOverCamelsWatcher(CamelContext context, MainConfigurationProperties config, Map<Path, String> loaded)
            throws Exception {
        RouteWatcherReloadStrategy watcher = context.hasService(RouteWatcherReloadStrategy.class);
        if (watcher == null || watcher.getResourceReload() != null) {
            return;
        }
        RouteFileReload reload = new RouteFileReload(context, watcher.getFolder(), watcher.isRecursive(),
                config.getRoutesExcludePattern(), loaded);
        watcher.setResourceReload((name, resource) -> reload.onChange(resource));
        context.addService(reload);
    }

    @Override
    protected void doStart() throws Exception {
        executor = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "RouteFileReload");
        Consumer<Path> hook = beforeSnapshot;
        if (hook != null) {
            hook.accept(root);
        }
        if (recursive && Files.isDirectory(root)) {
            try (Stream<Path> all = Files.walk(root)) {
                all.filter(Files::isDirectory).filter(d -> !d.equals(root)).map(RouteFileReload::absolute).forEach(folders::add);
            }
        }
        for (Path file : routeFiles()) {
            String text = loaded.get(file);
            try {
                if (text == null) {
                    // not one Camel loaded through its collector: as on disk now
                    text = Files.readString(file);
                }
                applied.put(file, new Applied(text, parse(file, text)));
            } catch (IOException | RuntimeException e) {
                pending.add(file);
                continue;
            }
            if (!text.equals(readQuietly(file))) {
                // saved after Camel read it, before this watcher started: a change like any other
                pending.add(file);
            }
        }
        LOG.info("Live route edits: route files saved, added or deleted under {} are applied while Harvester runs", display(root));
        if (!pending.isEmpty()) {
            applyAfter(QUIET_MS);
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (executor != null) {
            context.getExecutorServiceManager().shutdownNow(executor);
            executor = null;
        }
    }

    /** Called on the watcher's thread: the change is queued and applied on this service's own thread. */
    void onChange(Resource resource) {
        Path file = absolute(Path.of(resource.getLocation().replaceFirst("^file:", "")));
        if (file.getFileName().toString().startsWith(".")) {
            // editors' lock and swap files (.#orders.camel.yaml): never route files
            LOG.debug("Route file {} changed; hidden (editor lock or swap file), ignored", display(file));
            return;
        }
        if (isExcluded(file)) {
            LOG.debug("Route file {} changed; it is excluded (camel.main.routes-exclude-pattern)", display(file));
            return;
        }
        pending.add(file);
        changes.incrementAndGet();
        applyAfter(QUIET_MS);
    }

    /** Test seam: {@code hook} is called when this service starts, before it takes its snapshot of the route files. */
    void beforeSnapshot(Consumer<Path> hook) {
        beforeSnapshot = hook;
    }

    /** Test seam: {@code hook} is called on this service's thread right after a changed file was read (null: none). */
    void afterRead(Consumer<Path> hook) {
        afterRead = hook;
    }

    /** How many changes of route files the watcher reported so far. */
    long changes() {
        return changes.get();
    }

    private synchronized void applyAfter(long millis) {
        if (executor == null) {
            return;
        }
        if (next != null) {
            next.cancel(false);
        }
        next = executor.schedule(this::applyPending, millis, TimeUnit.MILLISECONDS);
    }

    /** What became of one file's change. */
    private enum Outcome {
        /** Applied, or refused for good (logged), or nothing to do. */
        DONE,
        /** Waits for runs in progress. */
        WAIT,
        /** Refused by the checks; may pass once other files of the batch are applied. */
        REFUSED
    }

    /**
     * Applies the files changed since the last look as one batch: deletions first, then files declaring
     * templates, then the others, so that a pipeline moved to another file (mv, git pull) or a template
     * changed together with its users is not refused against the state the batch is replacing. A file the
     * checks refuse is tried again once others were applied, until no file makes progress; only then is it
     * reported. Files refused earlier are tried again (quietly) after any later change.
     */
    private void applyPending() {
        if (context.isStopping() || context.isStopped()) {
            return; // shutting down: an edit still waiting would swap routes under the drain
        }
        if (!context.isStarted()) {
            // Camel is still starting the routes it loaded: swapping one now races with its start-up
            applyAfter(QUIET_MS);
            return;
        }
        warnDeletedFolders();
        Set<Path> batch = new LinkedHashSet<>(pending);
        // taken off before the files are read: a save arriving while this one is applied queues it again
        pending.removeAll(batch);
        Set<Path> retried = new LinkedHashSet<>(refused);
        retried.removeAll(batch);
        Map<Path, String> texts = new LinkedHashMap<>();
        for (Path file : batch) {
            texts.put(file, readQuietly(file));
        }
        List<Path> todo = new ArrayList<>(batch);
        todo.sort(java.util.Comparator.comparingInt(file -> order(file, texts.get(file))));
        todo.addAll(retried);
        boolean progress = true;
        while (!todo.isEmpty() && progress) {
            progress = false;
            List<Path> again = new ArrayList<>();
            for (Path file : todo) {
                switch (applySafely(file, texts, true)) {
                    case DONE -> {
                        progress = true;
                        refused.remove(file);
                        waiting.remove(file);
                    }
                    case WAIT -> pending.add(file);
                    case REFUSED -> again.add(file);
                }
            }
            todo = again;
        }
        for (Path file : todo) {
            refused.add(file);
            if (!retried.contains(file)) {
                // reported now, with the reason it has against the state the batch left
                applySafely(file, texts, false);
            }
        }
        if (!pending.isEmpty()) {
            applyAfter(RECHECK_MS);
        }
    }

    /**
     * Camel's file watcher (FileWatcherResourceReloadStrategy) stops watching altogether when a watched
     * sub-folder is deleted (rm -r, a branch switch): said loudly, as nothing else would tell.
     */
    private void warnDeletedFolders() {
        for (Path folder : List.copyOf(folders)) {
            if (!Files.isDirectory(folder) && folders.remove(folder)) {
                LOG.warn("Route folder {} was deleted: Camel's file watcher may stop on that, and then no later edit of a"
                        + " route file is applied until Harvester restarts", display(folder));
            }
        }
    }

    /** Deletions first, then files declaring templates, then the others. */
    private static int order(Path file, String text) {
        if (text == null) {
            return 0;
        }
        try {
            return parse(file, text).templates().isEmpty() ? 2 : 1;
        } catch (RuntimeException e) {
            return 2;
        }
    }

    private Outcome applySafely(Path file, Map<Path, String> texts, boolean quiet) {
        try {
            return apply(file, texts, quiet);
        } catch (RuntimeException e) {
            LOG.error("Route file {} not reloaded: {}", display(file), e.getMessage(), e);
            return Outcome.DONE;
        }
    }

    /**
     * Applies one file's change. {@code texts} are the batch's files as read: a file using this file's
     * templates is loaded with its new text when it is in the batch. When {@code quiet}, a refusal by the
     * checks is returned instead of logged.
     */
    private Outcome apply(Path file, Map<Path, String> texts, boolean quiet) {
        String text = read(file);
        Consumer<Path> hook = afterRead;
        if (hook != null) {
            hook.accept(file);
        }
        Applied before = applied.get(file);
        if (before != null && Objects.equals(text, before.text())) {
            emptySince.remove(file);
            return Outcome.DONE;
        }
        if (text != null && text.isBlank() && before != null && !before.text().isBlank()) {
            // an editor truncates, then writes: an empty file is taken as being written until it stays empty
            Long since = emptySince.putIfAbsent(file, System.nanoTime());
            if (since == null) {
                LOG.warn("Route file {} is empty: taken as being written, its routes keep running; applied (its routes"
                        + " removed) if it is still empty in {} ms", display(file), EMPTY_GRACE_MS);
                return Outcome.WAIT;
            }
            if (System.nanoTime() - since < EMPTY_GRACE_MS * 1_000_000) {
                return Outcome.WAIT;
            }
        }
        emptySince.remove(file);
        RouteDeclarations after = null;
        Map<Path, Applied> dependents;
        Map<Path, Applied> renewed;
        if (text != null) {
            try {
                after = parse(file, text);
                dependents = dependents(file, before, after);
                renewed = renewed(dependents, texts);
                check(file, after, renewed);
            } catch (IllegalArgumentException e) {
                if (quiet) {
                    return Outcome.REFUSED;
                }
                LOG.error("Route file {} not reloaded, its previous routes keep running: {}", display(file), reason(file, e));
                return Outcome.DONE;
            }
            if (!after.others().isEmpty()) {
                LOG.warn("Route file {} not reloaded: it declares {}, which only a restart applies (routes, templated"
                        + " routes and route templates are applied live)", display(file), after.others());
                return Outcome.DONE;
            }
        } else {
            dependents = dependents(file, before, null);
            renewed = renewed(dependents, texts);
        }
        if (before != null && !before.declarations().others().isEmpty()) {
            LOG.warn("Route file {} changed; it declares {}, which only a restart applies", display(file),
                    before.declarations().others());
            return Outcome.DONE;
        }
        Map<Path, Set<String>> restartOnly = restartOnly(dependents, renewed);
        if (!restartOnly.isEmpty()) {
            // a templatedRoute without id (or rest, beans...) cannot be removed to be loaded again: reloading
            // such a file would declare its routes twice, and loading it back would fail the same way
            LOG.warn("Route file {} not reloaded, its previous routes keep running: {}, which only a restart applies; restart"
                    + " Harvester to apply the edit", display(file), restartOnly.entrySet().stream()
                    .map(e -> display(e.getKey()) + " uses its templates and declares " + e.getValue())
                    .collect(Collectors.joining("; ")));
            return Outcome.DONE;
        }
        Set<String> oldRoutes = new LinkedHashSet<>();
        if (before != null) {
            oldRoutes.addAll(before.declarations().routeIds());
        }
        dependents.values().forEach(d -> oldRoutes.addAll(d.declarations().routeIds()));
        Set<String> newRoutes = new LinkedHashSet<>();
        if (after != null) {
            newRoutes.addAll(after.routeIds());
        }
        renewed.values().forEach(d -> newRoutes.addAll(d.declarations().routeIds()));
        Set<String> taken = newRoutes.stream()
                .filter(id -> !oldRoutes.contains(id) && context.getRoute(id) != null).collect(Collectors.toCollection(TreeSet::new));
        if (!taken.isEmpty()) {
            if (quiet) {
                return Outcome.REFUSED;
            }
            // Camel would replace the other file's route of that id without a word
            LOG.error("Route file {} not reloaded, its previous routes keep running: route id(s) {} already run, declared"
                    + " in another file", display(file), taken);
            return Outcome.DONE;
        }
        Optional<String> failure = Optional.empty();
        Map<String, Integer> busy = runsInProgress(oldRoutes);
        if (busy.isEmpty()) {
            // the hold refuses new runs of the file's pipelines from this second look until their routes are swapped
            try (TriggerComponent.Hold hold = TriggerComponent.of(context).hold(RouteSwap.pipelines(context, oldRoutes).values())) {
                hold.runsInProgress().forEach((pipeline, runs) -> busy.put("pipeline " + pipeline, runs));
                if (busy.isEmpty()) {
                    failure = swap(file, before, text, oldRoutes, dependents, renewed);
                }
            }
        }
        if (!busy.isEmpty()) {
            if (waiting.add(file)) {
                LOG.info("Route file {} changed; applied once the runs in progress end ({})", display(file),
                        busy.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", ")));
            }
            return Outcome.WAIT;
        }
        if (failure.isPresent()) {
            LOG.error("Route file {} not reloaded, its previous routes keep running: {}", display(file), failure.get());
        } else {
            if (text == null) {
                applied.remove(file);
                LOG.info("Route file {} deleted: routes {} removed", display(file), oldRoutes);
            } else {
                applied.put(file, new Applied(text, after));
                LOG.info("Route file {} reloaded: routes {}{}", display(file), after.routeIds(), dependents.isEmpty() ? ""
                        : ", and those of " + dependents.keySet().stream().map(RouteFileReload::display).toList()
                        + " made from its templates");
            }
            applied.putAll(renewed);
        }
        return Outcome.DONE;
    }

    /**
     * The dependents as they are loaded again: with their new text when the batch changed them too (and it
     * parses), else as last applied.
     */
    private static Map<Path, Applied> renewed(Map<Path, Applied> dependents, Map<Path, String> texts) {
        Map<Path, Applied> renewed = new LinkedHashMap<>();
        dependents.forEach((other, state) -> {
            String text = texts.get(other);
            Applied now = state;
            if (text != null && !text.equals(state.text())) {
                try {
                    now = new Applied(text, parse(other, text));
                } catch (IllegalArgumentException e) {
                    // refused when its own turn comes
                }
            }
            renewed.put(other, now);
        });
        return renewed;
    }

    /**
     * The files using this file's templates that declare what only a restart applies, as last applied or as
     * the batch changed them, with what that is.
     */
    private static Map<Path, Set<String>> restartOnly(Map<Path, Applied> dependents, Map<Path, Applied> renewed) {
        Map<Path, Set<String>> found = new LinkedHashMap<>();
        for (Map<Path, Applied> states : List.of(dependents, renewed)) {
            states.forEach((other, state) -> {
                if (!state.declarations().others().isEmpty()) {
                    found.computeIfAbsent(other, o -> new TreeSet<>()).addAll(state.declarations().others());
                }
            });
        }
        return found;
    }

    /** Parsed under the name the operator knows, so messages name the file as in routes/. */
    private static RouteDeclarations parse(Path file, String text) {
        return RouteDeclarations.parse(Path.of(display(file)), text);
    }

    private Optional<String> swap(Path file, Applied before, String text, Set<String> oldRoutes, Map<Path, Applied> dependents,
                                  Map<Path, Applied> renewed) {
        Map<Path, String> previous = new LinkedHashMap<>();
        dependents.forEach((other, state) -> previous.put(other, state.text()));
        Map<Path, String> reloaded = new LinkedHashMap<>();
        renewed.forEach((other, state) -> reloaded.put(other, state.text()));
        return new RouteSwap(context, file, before == null ? null : before.text(), text, oldRoutes, previous, reloaded).run();
    }

    /** The other files whose templated routes use a template this file declares (or declared). */
    private Map<Path, Applied> dependents(Path file, Applied before, RouteDeclarations after) {
        Set<String> templates = new LinkedHashSet<>();
        if (before != null) {
            templates.addAll(before.declarations().templates().keySet());
        }
        if (after != null) {
            templates.addAll(after.templates().keySet());
        }
        Map<Path, Applied> dependents = new LinkedHashMap<>();
        applied.forEach((other, state) -> {
            if (!other.equals(file) && state.declarations().uses().stream().anyMatch(u -> templates.contains(u.template()))) {
                dependents.put(other, state);
            }
        });
        return dependents;
    }

    /** The start-up checks, on the new text: templates as the context has them, with this file's in their place. */
    private void check(Path file, RouteDeclarations after, Map<Path, Applied> dependents) {
        // dependents: as they will be loaded again (new text when the batch changed them)
        Map<String, Template> templates = new HashMap<>();
        for (RouteTemplateDefinition definition : ((ModelCamelContext) context).getRouteTemplateDefinitions()) {
            Set<String> parameters = new LinkedHashSet<>();
            Set<String> required = new LinkedHashSet<>();
            for (RouteTemplateParameterDefinition parameter : definition.getTemplateParameters()) {
                parameters.add(parameter.getName());
                if (parameter.getDefaultValue() == null && parameter.isRequired()) {
                    required.add(parameter.getName());
                }
            }
            templates.put(definition.getId(), new Template(definition.getId(), parameters, required));
        }
        templates.putAll(after.templates());
        Map<String, Path> pipelines = new HashMap<>();
        applied.forEach((other, state) -> {
            if (!other.equals(file) && !dependents.containsKey(other)) {
                state.declarations().uses().forEach(u -> pipelines.put(u.template() + ":" + u.parameters().get("name"), other));
            }
        });
        RouteFiles.checkUses(after.uses(), templates, pipelines);
        List<Use> reused = new ArrayList<>();
        dependents.values().forEach(d -> reused.addAll(d.declarations().uses()));
        RouteFiles.checkUses(reused, templates, pipelines);
    }

    /** "route id" to its exchanges in flight, for the routes that have any: a pipeline's runs in progress. */
    private Map<String, Integer> runsInProgress(Set<String> routeIds) {
        Map<String, Integer> busy = new TreeMap<>();
        for (String id : routeIds) {
            int inFlight = context.getInflightRepository().size(id);
            if (inFlight > 0) {
                busy.put("route " + id, inFlight);
            }
        }
        return busy;
    }

    private List<Path> routeFiles() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> all = recursive ? Files.walk(root) : Files.list(root)) {
            return all.filter(Files::isRegularFile).filter(RouteDeclarations::isRouteFile)
                    .filter(f -> !f.getFileName().toString().startsWith(".")).map(RouteFileReload::absolute)
                    .filter(f -> !isExcluded(f)).sorted().toList();
        }
    }

    private boolean isExcluded(Path file) {
        String relative = display(file);
        AntPathMatcher matcher = AntPathMatcher.INSTANCE;
        return excluded.stream().anyMatch(pattern -> matcher.match(pattern, relative));
    }

    /** The check's message without the file name in front: the log line names the file already. */
    private static String reason(Path file, RuntimeException e) {
        String prefix = display(file) + ": ";
        String message = e.getMessage();
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    private static String readQuietly(Path file) {
        try {
            return read(file);
        } catch (UncheckedIOException e) {
            return null;
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static Path absolute(Path path) {
        return path.toAbsolutePath().normalize();
    }

    /** A file as the operator knows it: relative to the working directory when inside it. */
    static String display(Path file) {
        Path here = absolute(Path.of(""));
        return file.startsWith(here) ? here.relativize(file).toString() : file.toString();
    }
}
