package io.harvester.runs;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.harvester.http.HttpFailures;
import io.harvester.runs.TriggerKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts runs and owns them while they live. Only runs with a live handle here are heartbeated, so a
 * run nobody works on any more goes stale and is freed instead of blocking its pipeline.
 * <p>
 * An outcome the database refuses (it went away) is kept in memory and written by {@link #flush()}
 * (route {@code run-outcomes}, every few seconds) once the database answers again: the pipeline frees
 * itself without a restart. The failure is logged once per run, not per retry.
 */
public class RunLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(RunLifecycle.class);

    private record Outcome(LiveRun run, RunStatus status, String error, String step, String summary) {

        Outcome(LiveRun run, RunStatus status, String error, String step) {
            this(run, status, error, step, run.endSummary(status));
        }
    }

    private final RunRepository store;
    private final Map<Long, LiveRun> live = new ConcurrentHashMap<>();
    /** Handles on other instances' runs this one helps with (spread crawls): not live runs of its own. */
    private final Set<LiveRun> helpers = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Outcome> unrecorded = new ConcurrentLinkedQueue<>();
    /** Runs stopped from outside whose step has not let go yet: their stop is not confirmed. */
    private final Set<LiveRun> stopping = ConcurrentHashMap.newKeySet();
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread thread = new Thread(r, "harvester-run-limits");
        thread.setDaemon(true);
        return thread;
    });

    {
        // a run that ends before its time limit must not stay referenced by the cancelled task
        timer.setRemoveOnCancelPolicy(true);
    }

    /** Told of every run this lifecycle begins, on the beginning thread (the run log writer: memory only). */
    private final List<Consumer<LiveRun>> beginListeners = new CopyOnWriteArrayList<>();
    /** Told of every run's end and of the measures runs report (metrics). */
    private final List<RunObserver> observers = new CopyOnWriteArrayList<>();
    /** Where runs without an output folder of their own get one (for their log file); null: they get none. */
    private final Path outputRoot;

    public RunLifecycle(RunRepository store) {
        this(store, null);
    }

    public RunLifecycle(RunRepository store, Path outputRoot) {
        this.store = store;
        this.outputRoot = outputRoot;
        store.fence().onLost(this::fenced);
    }

    public RunRepository store() {
        return store;
    }

    /**
     * Inserts a run row and returns its live handle, or empty when the pipeline already has a live run.
     * A cron tick (any trigger but {@code api}) that finds one is then recorded as a skipped run naming it;
     * an API start is not: its caller is answered 409 and nothing is recorded. A run without an output folder (a job,
     * a {@code system:} or {@code dispatch:} pipeline) gets {@link #defaultOutputDir} on its row from the
     * start, the folder its log file goes to (docs/runs-api.md, "Runs").
     */
    public Optional<LiveRun> begin(String pipeline, String trigger, Map<String, ?> params, String outputDir) {
        String folder = outputDir != null ? outputDir : defaultOutputDir(pipeline);
        boolean recordSkip = !TriggerKind.API.value().equals(trigger);
        Optional<LiveRun> begun = store.begin(pipeline, trigger, params, folder, recordSkip).map(id -> {
            LiveRun run = new LiveRun(id, pipeline, folder, this);
            live.put(id, run);
            beginListeners.forEach(listener -> listener.accept(run));
            return run;
        });
        if (begun.isEmpty() && recordSkip) {
            ended(pipeline, RunStatus.SKIPPED, Duration.ZERO);
        }
        return begun;
    }

    /**
     * The live handle of a run this instance took over from a dead one ({@link Heartbeats#claimRunsOfDeadInstances}):
     * its row is the run's own, owned here now; nothing is inserted. Empty when the row is no longer live and
     * this instance's (another end came first).
     */
    public Optional<LiveRun> adopt(long runId, String pipeline, String outputDir) {
        if (!store.holdOwnedLive(runId)) {
            return Optional.empty();
        }
        String folder = outputDir != null ? outputDir : defaultOutputDir(pipeline);
        LiveRun run = new LiveRun(runId, pipeline, folder, this, true);
        live.put(runId, run);
        beginListeners.forEach(listener -> listener.accept(run));
        return Optional.of(run);
    }

    /**
     * A handle on another instance's live run that this instance helps with (a spread crawl's lookups): the run
     * stays its owner's, so the handle is not beaten, recorded or fenced here, and its end is the owner's to
     * write. Empty when the run is no longer live.
     */
    public Optional<LiveRun> help(long runId, String pipeline, String outputDir) {
        if (!store.isLive(runId)) {
            return Optional.empty();
        }
        String folder = outputDir != null ? outputDir : defaultOutputDir(pipeline);
        LiveRun helper = LiveRun.helper(runId, pipeline, folder, this);
        helpers.add(helper);
        return Optional.of(helper);
    }

    /** Stops helping with a run (this instance takes it over, say): its lookups end, its claims go back. */
    public void stopHelping(long runId) {
        helpers.stream().filter(helper -> helper.id() == runId).toList()
                .forEach(helper -> helper.abort(RunStatus.CANCELLED, "no longer helping"));
    }

    /** Records a trigger the job failure policy skipped, naming the run it counts against; the skipped run's id. */
    public long skip(String pipeline, String trigger, Map<String, ?> params, long blockedBy, String reason) {
        long id = store.skip(pipeline, trigger, params, blockedBy, reason);
        ended(pipeline, RunStatus.SKIPPED, Duration.ZERO);
        return id;
    }

    /** {@code observer} is told of every run end and measure from now on. */
    public void observe(RunObserver observer) {
        observers.add(observer);
    }

    public void removeObserver(RunObserver observer) {
        observers.remove(observer);
    }

    private void ended(String pipeline, RunStatus status, Duration took) {
        tell(observer -> observer.ended(pipeline, status, took));
    }

    void counted(LiveRun run, String measure, long amount) {
        tell(observer -> observer.counted(run.pipeline(), measure, amount));
    }

    void level(LiveRun run, String measure, long value) {
        tell(observer -> observer.level(run.pipeline(), measure, value));
    }

    /**
     * Metrics never decide a run's fate: an observer that throws (a meter the registry refuses) is logged,
     * while the run's end, already committed, and its published file stand.
     */
    private void tell(Consumer<RunObserver> call) {
        for (RunObserver observer : observers) {
            try {
                call.accept(observer);
            } catch (RuntimeException e) {
                LOG.warn("Run observer {} failed", observer, e);
            }
        }
    }

    /** {@code listener} is told of each run begun from now on; it must only touch memory. */
    public void onBegin(Consumer<LiveRun> listener) {
        beginListeners.add(listener);
    }

    public void removeBeginListener(Consumer<LiveRun> listener) {
        beginListeners.remove(listener);
    }

    /** {@code <harvester.output-dir>/<kind>-<name>} for a pipeline without an output folder; null without a root. */
    public String defaultOutputDir(String pipeline) {
        return outputRoot == null ? null : outputRoot.resolve(pipeline.replace(':', '-')).toString();
    }

    void record(LiveRun run, RunStatus status, String error, String step) {
        if (run.helping()) {
            // the run is its owner's to end; the owner's handle here (after a takeover) stays
            helpers.remove(run);
            run.cancelLimit();
            return;
        }
        release(run);
        // the run has ended here whether or not the database takes it now
        ended(run.pipeline(), status, run.elapsed());
        Outcome outcome = new Outcome(run, status, error, step);
        try {
            write(outcome);
        } catch (RunFenced lost) {
            // the run is another instance's now: its end is that one's to write
            LOG.debug("{}: its end ({}) is not written: {}", run, status, lost.getMessage());
        } catch (RuntimeException e) {
            unrecorded.add(outcome);
            LOG.error("Run {} of {} ended {} but the database did not take it ({}); it is written as soon as the"
                    + " database answers again", run.id(), run.pipeline(), status, e.getMessage());
        }
    }

    /** Writes an outcome now or throws; the run stays live until it is recorded one way or another. */
    void recordNow(LiveRun run, RunStatus status, String error) {
        if (run.helping()) {
            throw new IllegalStateException(run + " is another instance's: a helper records no end");
        }
        if (!write(new Outcome(run, status, error, null))) {
            throw new IllegalStateException("run " + run.id() + " was ended by someone else meanwhile (abandoned as"
                    + " stale?); its file is withdrawn");
        }
        release(run);
        ended(run.pipeline(), status, run.elapsed());
    }

    private void release(LiveRun run) {
        live.remove(run.id());
        run.cancelLimit();
    }

    /** Runs a short action after {@code millis} on the run-limits timer (one thread for every run). */
    public ScheduledFuture<?> schedule(long millis, Runnable action) {
        return timer.schedule(action, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Ends the run's row (this throws while the database is away); false when someone else had ended it.
     * The run-log row of its error is a detail: it is written when it can be.
     */
    private boolean write(Outcome outcome) {
        long id = outcome.run().id();
        boolean ended = store.finish(id, outcome.status(), outcome.error(), outcome.summary());
        if (ended && outcome.error() != null) {
            try {
                store.logs().write(id, outcome.step(), outcome.status() == RunStatus.COMPLETED ? "WARN" : "ERROR", outcome.error());
            } catch (RuntimeException e) {
                LOG.warn("Run {}: its log row was not written: {}", id, e.getMessage());
            }
        }
        return ended;
    }

    /**
     * Writes the outcomes the database refused earlier, oldest first; stops at the first refusal while
     * the database is away. An outcome whose data the database rejects would block the rest for ever:
     * it is given up, with an ERROR naming it.
     */
    public void flush() {
        for (Outcome outcome = unrecorded.peek(); outcome != null; outcome = unrecorded.peek()) {
            boolean ended;
            try {
                ended = write(outcome);
            } catch (RunFenced lost) {
                // fenced() may have taken it out already: this outcome, never the next one
                unrecorded.remove(outcome);
                continue;
            } catch (RuntimeException refused) {
                if (!refusedForGood(refused)) {
                    return;
                }
                unrecorded.remove(outcome);
                LOG.error("Run {} of {}: its end ({}) cannot be recorded, giving up: {}", outcome.run().id(),
                        outcome.run().pipeline(), outcome.status(), refused.getMessage());
                continue;
            }
            unrecorded.remove(outcome);
            if (ended) {
                LOG.info("Run {} of {} recorded as {} now that the database answers", outcome.run().id(),
                        outcome.run().pipeline(), outcome.status());
            } else {
                LOG.warn("Run {} of {} had been ended meanwhile (abandoned as stale?); its {} is not recorded",
                        outcome.run().id(), outcome.run().pipeline(), outcome.status());
            }
        }
    }

    /**
     * A refusal that no retry will change: the database answered and rejected the data itself
     * (SQLState class 22, data exception, or 23, integrity constraint). Anything else (connection
     * refused or dropped, too many clients, a deadlock) may pass: the outcome waits.
     */
    static boolean refusedForGood(Throwable refused) {
        SQLException sql = HttpFailures.find(refused, SQLException.class);
        String state = sql == null ? null : sql.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    /**
     * Ids of the runs this process answers for: those it works on, and those whose end waits for the
     * database (they are not stale: their outcome is known and on its way).
     */
    public Set<Long> liveIds() {
        Set<Long> ids = new HashSet<>(live.keySet());
        unrecorded.forEach(outcome -> ids.add(outcome.run().id()));
        return ids;
    }

    /** The handle of a run this process works on. */
    public Optional<LiveRun> liveRun(long id) {
        return Optional.ofNullable(live.get(id));
    }

    /**
     * Stops a run this process works on because its row, read now, says so: another instance ended it (its
     * status) or asked it to stop (the row is still live: it ends as the request says, {@code abandoned:
     * ...} or else {@code cancelled}). The stop runs on a thread of its own (it may wait for a step to let
     * go) and is confirmed on the row once nothing of the run works any more.
     */
    public void stopFromRow(long id) {
        LiveRun run = live.get(id);
        if (run == null) {
            // ended here already (its outcome may still be on its way): nothing of it works any more
            store.confirmStopped(id);
            return;
        }
        store.state(id).ifPresent(state -> timer.execute(() -> stop(run, state.status(), state.reason())));
    }

    /**
     * A write found that another instance took the run over while this one was silent (a long pause, a
     * partition): its copy here stops at once, undoing its work in progress, and writes and publishes nothing
     * more ({@link RunFence} refuses what it still tries). Called once per run, on the thread whose write was
     * refused or the heartbeat's.
     */
    void fenced(long id, String why) {
        LiveRun run = live.remove(id);
        unrecorded.removeIf(outcome -> outcome.run().id() == id);
        if (run == null) {
            return;
        }
        run.cancelLimit();
        stopping.remove(run);
        // its end may have been claimed already (it was about to publish): nothing more is written either way
        run.drop(timer);
        LOG.warn("{} stops here: {} while this instance was silent; this copy writes and publishes nothing", run, why);
    }

    private void stop(LiveRun run, RunStatus status, String reason) {
        LOG.warn("{} stopped: {}", run, reason);
        RunStatus ending = !status.isLive() ? status
                : reason.startsWith(RunStatus.ABANDONED.word() + ":") ? RunStatus.ABANDONED : RunStatus.CANCELLED;
        run.abort(ending, reason);
        if (run.isSettled()) {
            confirm(run);
        } else {
            LOG.warn("{}: still at work after its stop; the stop is confirmed once it lets go", run);
            stopping.add(run);
        }
    }

    /** Confirms the stops of runs that have let go since (called on every heartbeat). */
    public void confirmSettled() {
        for (LiveRun run : stopping) {
            if (run.isSettled() && stopping.remove(run)) {
                confirm(run);
            }
        }
    }

    private void confirm(LiveRun run) {
        try {
            store.confirmStopped(run.id());
        } catch (RuntimeException e) {
            LOG.warn("{}: its stop was not confirmed to the database: {}", run, e.getMessage());
        }
    }

    /** What a cancel did: ended the run here, asked its owner (another instance) to end it, or found it ended. */
    public enum Cancel {
        ENDED_HERE, REQUESTED, NOT_LIVE
    }

    /**
     * Cancels a live run on request, as the job failure policy does: run here, it ends {@code cancelled}
     * with {@code reason} now (its work undone, its step let go, or after a bounded wait); run by another
     * instance, its row carries the request and its owner ends it on its next heartbeat.
     */
    public Cancel cancel(long id, String reason) {
        LiveRun here = live.get(id);
        if (here != null) {
            return here.abort(RunStatus.CANCELLED, reason) ? Cancel.ENDED_HERE : Cancel.NOT_LIVE;
        }
        return store.requestCancel(id, reason) ? Cancel.REQUESTED : Cancel.NOT_LIVE;
    }

    /** Interrupts the live runs of a pipeline (its route is stopping and they did not finish in time). */
    public void interrupt(String pipeline, String reason) {
        List<LiveRun> runs = java.util.stream.Stream.concat(live.values().stream(), helpers.stream())
                .filter(r -> r.pipeline().equals(pipeline)).toList();
        for (LiveRun run : runs) {
            LOG.warn("{} {}", run, reason);
            run.interrupt(reason);
        }
    }
}
