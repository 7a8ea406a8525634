package io.harvester.runs;

import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A run this process is working on, from its row's insert to its end. It ends once: the first outcome
 * (completed, failed, interrupted by a shutdown) wins and later ones are ignored, so a page failing
 * while the run is being interrupted cannot overwrite the interruption, and a run that was interrupted
 * is never published. Its outcome is recorded through {@link RunLifecycle}, which keeps it when the
 * database is away and writes it when the database answers again.
 */
public final class LiveRun {

    private final long id;
    private final String pipeline;
    private final String outputDir;
    private final RunLifecycle lifecycle;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final long startedNanos = System.nanoTime();
    private volatile Consumer<RunStatus> onAbort = status -> { };
    private volatile Future<?> limit;
    private volatile BooleanSupplier settled = () -> true;
    private volatile Supplier<String> summary = () -> null;

    private final boolean takenOver;
    private final boolean helping;

    LiveRun(long id, String pipeline, String outputDir, RunLifecycle lifecycle) {
        this(id, pipeline, outputDir, lifecycle, false);
    }

    LiveRun(long id, String pipeline, String outputDir, RunLifecycle lifecycle, boolean takenOver) {
        this(id, pipeline, outputDir, lifecycle, takenOver, false);
    }

    private LiveRun(long id, String pipeline, String outputDir, RunLifecycle lifecycle, boolean takenOver, boolean helping) {
        this.id = id;
        this.pipeline = pipeline;
        this.outputDir = outputDir;
        this.lifecycle = lifecycle;
        this.takenOver = takenOver;
        this.helping = helping;
    }

    /** A handle on another instance's run that this one helps with ({@link RunLifecycle#help}). */
    static LiveRun helper(long id, String pipeline, String outputDir, RunLifecycle lifecycle) {
        return new LiveRun(id, pipeline, outputDir, lifecycle, false, true);
    }

    /**
     * Whether this instance only helps with another instance's live run (a spread crawl): it makes lookups of
     * the run beside its owner; the run's row, its end and its file are the owner's.
     */
    public boolean helping() {
        return helping;
    }

    /** Whether this process took the run over from a dead instance: it continues the run's own row and checkpoint. */
    public boolean takenOver() {
        return takenOver;
    }

    public long id() {
        return id;
    }

    public String pipeline() {
        return pipeline;
    }

    /** The run's output folder as its row holds it (null for a run without one). */
    public String outputDir() {
        return outputDir;
    }

    public RunRepository store() {
        return lifecycle.store();
    }

    /** How long the run has been going in this process. */
    public Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    /** Reports {@code amount} more of a measure ({@link RunObserver#ROWS}, ...) to the observers (metrics). */
    public void count(String measure, long amount) {
        lifecycle.counted(this, measure, amount);
    }

    /** Reports the current value of a measure ({@link RunObserver#LIMIT}) to the observers (metrics). */
    public void level(String measure, long value) {
        lifecycle.level(this, measure, value);
    }

    /**
     * What the run did, in a few words, for its row once it ended ("2,500 rows in 10 pages"): its kind
     * knows. The row's current step then reads "completed: 2,500 rows in 10 pages", not the last live message.
     */
    public void summarizedBy(Supplier<String> what) {
        this.summary = what;
    }

    /** The run's end in words: its status, and what it did when its kind can say (a failure to say is left out). */
    String endSummary(RunStatus status) {
        String did;
        try {
            did = summary.get();
        } catch (RuntimeException e) {
            did = null;
        }
        return did == null || did.isBlank() ? status.word() : status.word() + ": " + did;
    }

    public boolean isLive() {
        return !ended.get();
    }

    /**
     * What to undo when the run is ended from outside its own threads (a shutdown, its time limit):
     * drop the temporary file, stop handing out work, close its step rows. It is given the run's status.
     */
    public void onAbort(Consumer<RunStatus> action) {
        this.onAbort = action;
    }

    /** How to tell that nothing of the run works any more after it was ended from outside (its step let go). */
    public void settledWhen(BooleanSupplier check) {
        this.settled = check;
    }

    /** Whether nothing of the run is at work any more; true for runs whose work stops with their end. */
    public boolean isSettled() {
        return settled.getAsBoolean();
    }

    /**
     * Claims the run's end for the caller: true once, for the first caller. A pipeline claims before it
     * publishes, so a run interrupted meanwhile never publishes.
     */
    public boolean claimEnd() {
        return ended.compareAndSet(false, true);
    }

    /** The run's row says it ended elsewhere or must stop: it is stopped here as the row says. */
    public void stopFromRow() {
        lifecycle.stopFromRow(id);
    }

    /** Records the end the caller claimed; a run-log row carries the error, attributed to {@code step}. */
    public void record(RunStatus status, String error, String step) {
        lifecycle.record(this, status, error, step);
    }

    /** Claims and records in one: false when the run had already ended. */
    public boolean end(RunStatus status, String error, String step) {
        if (!claimEnd()) {
            return false;
        }
        record(status, error, step);
        return true;
    }

    /** Ends the run as interrupted (a shutdown or a stopped route cut it off) and undoes its work in progress. */
    public void interrupt(String reason) {
        abort(RunStatus.INTERRUPTED, reason);
    }

    /** Ends the run from outside its own threads and undoes its work in progress; false when it had ended. */
    public boolean abort(RunStatus status, String reason) {
        if (!end(status, reason, null)) {
            return false;
        }
        onAbort.accept(status);
        return true;
    }

    /**
     * The run is another instance's now ({@link RunLifecycle#fenced}): claims its end so that nothing here records
     * or publishes it, and undoes the work in progress; what that still writes is refused by the fence.
     */
    boolean drop(java.util.concurrent.Executor undoOn) {
        if (!claimEnd()) {
            return false;
        }
        // not on the caller's thread: that may be the run's own worker, which a job's undoing waits for
        undoOn.execute(() -> {
            try {
                onAbort.accept(RunStatus.ABANDONED);
            } catch (RunFenced expected) {
                // its undoing wrote to the run: refused, as it should be
            }
        });
        return true;
    }

    /** Aborts the run as failed with {@code reason} unless it ends within {@code millis}; 0 for no limit. */
    public void limitTo(long millis, String reason) {
        if (millis > 0) {
            limit = lifecycle.schedule(millis, () -> abort(RunStatus.FAILED, reason));
        }
    }

    /** The run ended: its time limit, if any, no longer holds it in memory. */
    void cancelLimit() {
        Future<?> pending = limit;
        if (pending != null) {
            pending.cancel(false);
        }
    }

    /**
     * Records the end the caller claimed now, throwing when the database refuses or someone else ended
     * the row: for an end that must be on record before a published file may stay.
     */
    public void recordNow(RunStatus status, String error) {
        lifecycle.recordNow(this, status, error);
    }

    /** Its file was withdrawn: its run_outputs rows go too, when the database takes it (they were likely never written). */
    public void withdrawOutputs() {
        try {
            store().outputs().withdrawPublished(id);
        } catch (RuntimeException databaseAway) {
            // nothing to withdraw that could have been written
        }
    }

    @Override
    public String toString() {
        return "run " + id + " of " + pipeline;
    }
}
