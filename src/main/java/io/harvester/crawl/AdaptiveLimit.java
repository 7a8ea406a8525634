package io.harvester.crawl;

import java.util.ArrayList;
import java.util.List;

/**
 * AIMD in-flight limit for one API: halved when it pushes back (429, 5xx), grown by one after a
 * window of successes as long as the current limit, never above the configured maximum nor below 1.
 * Keeps its history so tests and operators can see it move.
 */
public final class AdaptiveLimit {

    /** When the limit changed and to what. */
    public record Change(long atMillis, int limit) {
    }

    private final int max;
    private final List<Change> history = new ArrayList<>();
    private int limit;
    private int successes;

    public AdaptiveLimit(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, was " + max);
        }
        this.max = max;
        this.limit = max;
        history.add(new Change(System.currentTimeMillis(), max));
    }

    public synchronized int current() {
        return limit;
    }

    public int max() {
        return max;
    }

    public synchronized void pushedBack() {
        successes = 0;
        int halved = Math.max(1, limit / 2);
        if (halved != limit) {
            set(halved);
        }
    }

    public synchronized void succeeded() {
        if (limit >= max) {
            return;
        }
        if (++successes >= limit) {
            successes = 0;
            set(limit + 1);
        }
    }

    public synchronized List<Change> history() {
        return List.copyOf(history);
    }

    private void set(int value) {
        limit = value;
        history.add(new Change(System.currentTimeMillis(), value));
    }
}
