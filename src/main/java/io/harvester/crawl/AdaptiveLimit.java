package io.harvester.crawl;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * AIMD in-flight limit for one API: halved when it pushes back (429, 5xx), grown by one after a
 * window of successes as long as the current limit, never above the configured maximum nor below 1.
 * One back-off event cuts once: a push-back on an attempt that started before the latest cut was
 * already answered by that cut (as TCP counts one loss per window), so a burst of concurrent 429s
 * halves the limit once, not once per answer. Keeps its history so tests and operators can see it move.
 */
public final class AdaptiveLimit {

    /** When the limit changed and to what. */
    public record Change(long atMillis, int limit) {
    }

    private final int max;
    private final List<Change> history = new ArrayList<>();
    private int limit;
    private int successes;
    private int cuts;
    /** Told of every change (metrics); memory only, called under this limit's lock. */
    private volatile IntConsumer changes = value -> { };

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

    /** {@code listener} is told the limit now and every new value from now on. */
    public synchronized void onChange(IntConsumer listener) {
        changes = listener;
        listener.accept(limit);
    }

    public int max() {
        return max;
    }

    /** How many times the limit was cut so far: an attempt notes it when it starts. */
    public synchronized int cuts() {
        return cuts;
    }

    /**
     * An attempt that started when {@link #cuts()} was {@code seenCuts} was pushed back: halve the
     * limit, unless it was cut since that attempt started.
     */
    public synchronized void pushedBack(int seenCuts) {
        successes = 0;
        if (seenCuts < cuts) {
            return;
        }
        int halved = Math.max(1, limit / 2);
        if (halved != limit) {
            cuts++;
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
        changes.accept(value);
    }
}
