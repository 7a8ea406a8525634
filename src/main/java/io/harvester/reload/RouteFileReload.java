package io.harvester.reload;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.harvester.trigger.TriggerComponent;
import org.apache.camel.CamelContext;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live route edits ({@code camel.main.routes-reload-enabled}): a route file saved, added or deleted under
 * the watched folder is applied to the running daemon file by file (files changed together as one batch,
 * see {@link PendingEdits}), through Harvester's own steps
 * instead of Camel's {@code RouteWatcherReloadStrategy.onRouteReload}, which in Camel 4.17 leaves
 * {@code templatedRoute}s out of a reload (and, removing all routes, would drop every pipeline).
 * <ol>
 * <li>Watch: Camel's file watcher notices the change ({@link WatchedFolder}); events of one save are
 * gathered for {@value #QUIET_MS} ms.</li>
 * <li>Check: the new text is checked as at start-up ({@link EditCheck}): a file that does not parse, names
 * an unknown template or parameter, or a pipeline declared elsewhere is not applied; an ERROR names the
 * file, the line and the reason, and the previous routes keep running.</li>
 * <li>Wait for runs: while a route the file declared (or, for a template file, a route made from its
 * templates) has a run in progress (an in-flight exchange), the change waits: an INFO says for which
 * runs, and it is applied as soon as they end. A run is never cut off nor half-configured by an edit;
 * the next run uses the new file. From the last look until the swap is done the file's pipelines take no
 * new run ({@link TriggerComponent#hold}), so none can slip in between ({@link RunsInProgress}).</li>
 * <li>Swap: the file's old routes (and templates) are stopped and removed, the new text is loaded: its
 * routes, templates and templated routes, whose beans are made anew ({@code initMethod}) with the new
 * parameters ({@link RouteSwap}).</li>
 * <li>Roll back: if Camel refuses the new routes, whatever of them was added is removed and the previous
 * text is loaded again (ERROR naming file and reason; {@link SwapRollback}).</li>
 * </ol>
 * Only files declaring routes, templated routes and route templates are applied live; a file with
 * anything else (rest, routeConfiguration, beans, a templatedRoute without id) is left for the next restart,
 * with a WARN; so is a file of templates one of those files uses, as its routes would have to be reloaded.
 * <p>
 * This service gathers the changes and applies them on its own thread ({@link EditApplier}, file by file).
 */
public final class RouteFileReload extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(RouteFileReload.class);
    /** Editors save in several events (truncate, write, rename): they are gathered this long. */
    static final long QUIET_MS = 200;
    /** How often a change waiting for runs to end looks again. */
    static final long RECHECK_MS = 250;

    private final CamelContext context;
    private final WatchedFolder folder;
    /** Route files as Camel loaded them at start-up ({@link LoadedRouteFiles}). */
    private final Map<Path, String> loaded;
    private final AppliedFiles applied = new AppliedFiles();
    private final PendingEdits pending = new PendingEdits();
    private final EditApplier edits;
    /** Test seam: called when the service starts, before it takes its snapshot of the route files. */
    private volatile Consumer<Path> beforeSnapshot;
    private ScheduledExecutorService executor;
    private ScheduledFuture<?> next;
    /** Changes the watcher reported (tests wait on it). */
    private final AtomicLong changes = new AtomicLong();

    RouteFileReload(CamelContext context, String folder, boolean recursive, String excludePatterns, Map<Path, String> loaded) {
        this.context = context;
        this.loaded = loaded;
        this.folder = new WatchedFolder(folder, recursive, excludePatterns);
        this.edits = new EditApplier(context, applied);
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
            hook.accept(folder.root());
        }
        folder.noteSubFolders();
        pending.addAll(applied.snapshot(folder.routeFiles(), loaded));
        LOG.info("Live route edits: route files saved, added or deleted under {} are applied while Harvester runs",
                FileNames.display(folder.root()));
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
        Path file = FileNames.absolute(Path.of(resource.getLocation().replaceFirst("^file:", "")));
        if (folder.ignores(file)) {
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
        edits.afterRead(hook);
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

    private void applyPending() {
        if (context.isStopping() || context.isStopped()) {
            return; // shutting down: an edit still waiting would swap routes under the drain
        }
        if (!context.isStarted()) {
            // Camel is still starting the routes it loaded: swapping one now races with its start-up
            applyAfter(QUIET_MS);
            return;
        }
        folder.warnDeletedFolders();
        pending.applyBatch(edits);
        if (!pending.isEmpty()) {
            applyAfter(RECHECK_MS);
        }
    }
}
