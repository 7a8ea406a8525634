package io.harvester.runs;

/**
 * A write of a run's state was refused because the run is no longer this instance's: another one took it over
 * while this one was silent (a long GC pause, a partition). Nothing of it was written; this copy of the run
 * stops ({@link RunLifecycle#fenced}) and publishes nothing.
 */
public final class RunFenced extends RuntimeException {

    private final long runId;

    RunFenced(long runId, String message) {
        super(message, null, false, false);
        this.runId = runId;
    }

    public long runId() {
        return runId;
    }
}
