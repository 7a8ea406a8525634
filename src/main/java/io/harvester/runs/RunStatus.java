package io.harvester.runs;

/** The values of {@code runs.status} (README, "Runs"). */
public final class RunStatus {

    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String PARTIAL = "partial";
    public static final String FAILED = "failed";
    public static final String SKIPPED = "skipped";
    /** Its process died (kill -9) or went silent: nobody can finish it. */
    public static final String ABANDONED = "abandoned";
    /** Cut off by a shutdown or a stopped route; a crawl continues it from its checkpoint. */
    public static final String INTERRUPTED = "interrupted";

    private RunStatus() {
    }
}
