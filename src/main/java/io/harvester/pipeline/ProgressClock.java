package io.harvester.pipeline;

/**
 * Says when a run's progress is worth writing: at most once an interval. Progress is written from hot
 * paths (under the page window's lock, after every crawl answer), and a database round trip per page
 * would cap a fast pipeline at the database's pace.
 */
public final class ProgressClock {

    private final long intervalNanos;
    private long last = System.nanoTime();

    /** At most once a second: the pace every pipeline writes its progress at. */
    public ProgressClock() {
        this(1000);
    }

    public ProgressClock(long intervalMillis) {
        this.intervalNanos = intervalMillis * 1_000_000;
    }

    public synchronized boolean due() {
        long now = System.nanoTime();
        if (now - last < intervalNanos) {
            return false;
        }
        last = now;
        return true;
    }
}
