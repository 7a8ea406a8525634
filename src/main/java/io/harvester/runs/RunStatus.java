package io.harvester.runs;

/** The values of {@code runs.status} (README, "Runs"). */
public final class RunStatus {

    public static final String PENDING = "pending";
    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String PARTIAL = "partial";
    public static final String FAILED = "failed";
    public static final String SKIPPED = "skipped";
    /** Its process died (kill -9) or went silent: nobody can finish it. */
    public static final String ABANDONED = "abandoned";
    /** Cut off by a shutdown or a stopped route; a crawl continues it from its checkpoint. */
    public static final String INTERRUPTED = "interrupted";
    /** Stopped on request (a job's failure policy, later the runs API); nothing of it is published. */
    public static final String CANCELLED = "cancelled";

    /** Whether a run in this status is still live (it holds its pipeline). */
    public static boolean isLive(String status) {
        return PENDING.equals(status) || RUNNING.equals(status);
    }

    private RunStatus() {
    }
}
