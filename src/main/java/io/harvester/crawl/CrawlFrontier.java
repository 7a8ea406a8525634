package io.harvester.crawl;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The lookups still to make, handed to Camel's parallel splitter one by one as the limits allow:
 * at most {@code levelConcurrency[l]} lookups of level l and at most the adaptive limit in flight,
 * at most {@code ratePerSecond} started per second. Children are added as soon as their parent's
 * answer arrives, so levels are pipelined; deeper levels are served first, which finishes subtrees
 * early and keeps the frontier small.
 * <p>
 * A lookup moves from in flight to settling when its answer arrives ({@link #answered}): its request
 * slot is free at once, so the next request does not wait for the checkpoint write. Its children join
 * only when it settles ({@link #settled}), after that write, so no child is ever asked for before its
 * parent's answer is safe. At most {@code maxInFlight} lookups settle at once, so a crash loses at most
 * that many written-but-uncommitted answers on top of the requests in flight.
 * <p>
 * Like the page window, it blocks in {@link #next()} and returns null (skipped by the splitter) only
 * when nothing is pending or in flight, so the split never ends while lookups are on their way. On
 * shutdown it stops handing out lookups and returns null once those in flight have finished.
 */
public final class CrawlFrontier implements Iterator<Lookup> {

    private static final long POLL_MILLIS = 200;

    private record Delayed(Lookup lookup, long readyAtNanos) {
    }

    private final int[] levelConcurrency;
    private final AdaptiveLimit limit;
    private final RateLimit rate;
    private final BooleanSupplier stopping;
    private final List<ArrayDeque<Lookup>> queues = new ArrayList<>();
    private final List<Delayed> delayed = new ArrayList<>();
    private final int[] inFlightPerLevel;
    private int inFlight;
    private int settling;
    private boolean exhausted;
    private boolean halted;

    CrawlFrontier(int[] levelConcurrency, AdaptiveLimit limit, double ratePerSecond, BooleanSupplier stopping) {
        this.levelConcurrency = levelConcurrency.clone();
        this.limit = limit;
        this.rate = new RateLimit(ratePerSecond);
        this.stopping = stopping;
        this.inFlightPerLevel = new int[levelConcurrency.length + 1];
        for (int i = 0; i <= levelConcurrency.length; i++) {
            queues.add(new ArrayDeque<>());
        }
    }

    @Override
    public synchronized boolean hasNext() {
        return !exhausted;
    }

    @Override
    public synchronized Lookup next() {
        while (!exhausted) {
            long now = System.nanoTime();
            promoteDelayed(now);
            boolean stop = halted || stopping.getAsBoolean();
            if (inFlight == 0 && settling == 0 && (stop || (pendingCount() == 0 && delayed.isEmpty()))) {
                exhausted = true;
                break;
            }
            Lookup candidate = stop ? null : candidate();
            if (candidate == null) {
                await(POLL_MILLIS * 1_000_000);
                continue;
            }
            long wait = rate.reserve(now);
            if (wait > 0) {
                await(wait);
                continue;
            }
            queues.get(candidate.level()).pollFirst();
            inFlight++;
            inFlightPerLevel[candidate.level()]++;
            return candidate;
        }
        return null;
    }

    /** Adds lookups to make (a parent's children, or what a checkpoint left pending). */
    public synchronized void add(Collection<Lookup> lookups) {
        for (Lookup lookup : lookups) {
            queues.get(lookup.level()).addLast(lookup);
        }
        notifyAll();
    }

    /** A lookup failed for good (or was cut off): its slot is free and nothing follows from it. */
    public synchronized void finished(Lookup lookup) {
        release(lookup);
        notifyAll();
    }

    /** A lookup's answer arrived: its request slot is free; it settles once its answer is written. */
    public synchronized void answered(Lookup lookup) {
        release(lookup);
        settling++;
        notifyAll();
    }

    /** A lookup's answer is written: its children (those still to be looked up) may now be asked for. */
    public synchronized void settled(Collection<Lookup> children) {
        settling--;
        add(children);
    }

    /** A lookup could not be made now (the breaker is open): free its slot and try it again later. */
    public synchronized void retryLater(Lookup lookup, long delayMillis) {
        release(lookup);
        delayed.add(new Delayed(lookup, System.nanoTime() + delayMillis * 1_000_000));
        notifyAll();
    }

    /** Books a retry a slot of the rate, at least {@code earliestMillis} from now; returns the wait in ms. */
    public synchronized long reserveRetry(long earliestMillis) {
        long now = System.nanoTime();
        return (rate.reserveAt(now, now + earliestMillis * 1_000_000) + 999_999) / 1_000_000;
    }

    /** Stops handing out lookups; the split ends once those in flight have finished. */
    public synchronized void halt() {
        halted = true;
        notifyAll();
    }

    public synchronized int inFlight() {
        return inFlight;
    }

    public synchronized int settling() {
        return settling;
    }

    public synchronized int pendingCount() {
        int n = 0;
        for (ArrayDeque<Lookup> queue : queues) {
            n += queue.size();
        }
        return n + delayed.size();
    }

    private void release(Lookup lookup) {
        inFlight--;
        inFlightPerLevel[lookup.level()]--;
    }

    private Lookup candidate() {
        if (inFlight >= limit.current() || settling >= limit.max()) {
            return null;
        }
        for (int level = queues.size() - 1; level >= 1; level--) {
            Lookup head = queues.get(level).peekFirst();
            if (head != null && inFlightPerLevel[level] < levelConcurrency[level - 1]) {
                return head;
            }
        }
        return null;
    }

    private void promoteDelayed(long now) {
        delayed.removeIf(d -> {
            if (d.readyAtNanos() <= now) {
                queues.get(d.lookup().level()).addLast(d.lookup());
                return true;
            }
            return false;
        });
    }

    private void await(long nanos) {
        try {
            long millis = Math.max(1, Math.min(POLL_MILLIS, nanos / 1_000_000));
            wait(millis, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            halted = true;
        }
    }
}
