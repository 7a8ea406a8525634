package io.harvester.crawl;

import io.harvester.http.RateLimit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * <p>
 * A spread crawl's frontier ({@link Shared}) is the checkpoint itself, shared by every instance: children
 * are not queued here but left pending in {@code crawl_nodes}, this instance takes the cluster's permits for as many
 * lookups of a level as it may start, claims that many pending nodes of the level, and is through once no node
 * of the run is pending anywhere.
 */
public final class CrawlFrontier implements Iterator<Lookup> {

    private static final long POLL_MILLIS = 200;
    /** How often a spread crawl's frontier looks for work or permits while it has none. */
    private static final long SHARED_POLL_MILLIS = 5;
    /** The longest a spread crawl's frontier waits between looks while the cluster's limits are taken. */
    private static final long SHARED_POLL_MAX_MILLIS = 80;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CrawlFrontier.class);

    /** A spread crawl's work and limits, shared with the other instances. */
    interface Shared {
        /** Up to {@code max} lookups of {@code level} no other instance makes, now this instance's to make. */
        List<Lookup> claim(int level, int max);

        /** The levels of the lookups that a claim would find now (one look at the checkpoint). */
        java.util.Set<Integer> levelsWithWork();

        /**
         * This instance's share of the lookups in flight: {@code maxInFlight} over the instances making the run's
         * lookups now. An instance makes no more than its share, so every one that helps gets its part.
         */
        int fairShare();

        /** Counts again the instances that make the run's lookups. */
        void refreshShare();

        /** Whether any lookup is still to be made by any instance (pending, claimed or not). */
        boolean workLeft();

        /** Up to {@code want} permits for lookups of {@code level}, as many as are free now (maybe none). */
        List<SharedCrawlLimits.Permit> tryAcquire(int level, int want);

        void release(int level, SharedCrawlLimits.Permit permit);

        /** How often the permits held here are renewed (a fraction of their lease). */
        long renewEveryMillis();

        /** Renews the lease of the permits held here, by level. */
        void renew(Map<Integer, List<SharedCrawlLimits.Permit>> byLevel);
    }

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
    private final Shared shared;
    private final Map<Lookup, SharedCrawlLimits.Permit> permits = new HashMap<>();
    private long lastClaimNanos;
    private long lastRenewNanos = System.nanoTime();
    /** When the instances making the run's lookups were last counted (0: at the first look). */
    private long lastShareNanos;
    /** How often they are counted: an instance that joins gets its share within this. */
    private static final long SHARE_EVERY_MILLIS = 250;
    /** Whether the last look failed for an outage (logged once). */
    private boolean sharedAway;
    /** How long to wait before the next look: doubled after a look that found nothing, short again once a slot or node came free here. */
    private long sharedPollMillis = SHARED_POLL_MILLIS;

    CrawlFrontier(int[] levelConcurrency, AdaptiveLimit limit, double ratePerSecond, BooleanSupplier stopping) {
        this(levelConcurrency, limit, ratePerSecond, stopping, null);
    }

    /** A spread crawl's frontier when {@code shared} is given: the rate is then the cluster's, in {@code shared}. */
    CrawlFrontier(int[] levelConcurrency, AdaptiveLimit limit, double ratePerSecond, BooleanSupplier stopping, Shared shared) {
        this.shared = shared;
        this.levelConcurrency = levelConcurrency.clone();
        this.limit = limit;
        this.rate = new RateLimit(shared == null ? ratePerSecond : 0);
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
            boolean idle = inFlight == 0 && settling == 0;
            if (idle && (stop || (pendingCount() == 0 && delayed.isEmpty() && (shared == null || !sharedWorkLeft())))) {
                givePermitsBack();
                exhausted = true;
                break;
            }
            renewPermits(now);
            if (!stop && rate.held(now) > 0) {
                // the API said its budget is used up: nothing starts before its reset, shared claims included
                await(rate.held(now));
                continue;
            }
            if (!stop && shared != null && candidate() == null) {
                Lookup claimed = claimShared(now);
                if (claimed != null) {
                    inFlight++;
                    inFlightPerLevel[claimed.level()]++;
                    return claimed;
                }
            }
            Lookup candidate = stop ? null : candidate();
            if (candidate == null) {
                await((shared == null ? POLL_MILLIS : sharedPollMillis) * 1_000_000);
                continue;
            }
            long wait = rate.reserve(now);
            if (wait > 0) {
                await(wait);
                continue;
            }
            if (shared != null && !permits.containsKey(candidate)) {
                SharedCrawlLimits.Permit permit;
                try {
                    permit = shared.tryAcquire(candidate.level(), 1).stream().findFirst().orElse(null);
                } catch (RuntimeException redisAway) {
                    permit = null;
                }
                if (permit == null) {
                    // the cluster's limits are taken by other instances' lookups: look again shortly
                    await(SHARED_POLL_MILLIS * 1_000_000);
                    continue;
                }
                permits.put(candidate, permit);
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

    /**
     * A lookup's answer is written: its children (those still to be looked up) may now be asked for; a spread
     * crawl's are pending in the checkpoint, for whichever instance claims them.
     */
    public synchronized void settled(Collection<Lookup> children) {
        settling--;
        if (shared != null) {
            lookAgainSoon();
        }
        add(shared == null ? children : List.of());
    }

    /** A lookup could not be made now (the breaker is open): free its slot and try it again later. */
    public synchronized void retryLater(Lookup lookup, long delayMillis) {
        release(lookup);
        delayed.add(new Delayed(lookup, System.nanoTime() + delayMillis * 1_000_000));
        notifyAll();
    }

    /** The API said its budget is used up: no lookup starts for {@code millis} from now. */
    public synchronized void holdFor(long millis) {
        rate.holdUntil(System.nanoTime() + millis * 1_000_000);
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
        SharedCrawlLimits.Permit permit = permits.remove(lookup);
        if (permit != null) {
            shared.release(lookup.level(), permit);
            lookAgainSoon();
        }
    }

    /**
     * A spread crawl's next lookup from the shared checkpoint: deepest level first, the cluster's permit for a
     * level, then one pending node of that level claimed. Nothing is claimed without a permit to start it at
     * once, so no instance sits on lookups another could make now. Looked for at once when a slot or a node
     * came free here, else after a wait that doubles from {@link #SHARED_POLL_MILLIS} up to
     * {@link #SHARED_POLL_MAX_MILLIS} while looks find nothing. While its breaker keeps this instance's own
     * lookups waiting ({@code delayed}), it takes no more: the others make them.
     */
    private Lookup claimShared(long now) {
        int mayStart = Math.min(limit.current(), shared.fairShare());
        if (!delayed.isEmpty() || inFlight >= mayStart || settling >= limit.max()
                || now - lastClaimNanos < sharedPollMillis * 1_000_000) {
            return null;
        }
        lastClaimNanos = now;
        // the next look waits longer unless this one finds a lookup: the instance that frees a permit takes the next
        // lookup itself at once, the others need not look every few milliseconds (each look is a round trip)
        sharedPollMillis = Math.min(SHARED_POLL_MAX_MILLIS, sharedPollMillis * 2);
        try {
            Lookup claimed = claimWithPermit(mayStart);
            sharedAway = false;
            if (claimed != null) {
                sharedPollMillis = SHARED_POLL_MILLIS;
            }
            return claimed;
        } catch (RuntimeException away) {
            // Redis or the database is away a moment: nothing is claimed now, the next look is later
            if (!sharedAway) {
                LOG.warn("Spread crawl: no lookup claimed ({}); looking again", away.getMessage());
                sharedAway = true;
            }
            return null;
        }
    }

    /**
     * A slot or a node came free here: look for the next lookup at once, unless this instance makes more than its
     * share already; then it looks as often as the others do, so that the one that frees a permit does not keep
     * every permit for itself.
     */
    private void lookAgainSoon() {
        if (inFlight < shared.fairShare()) {
            lastClaimNanos = 0;
            sharedPollMillis = SHARED_POLL_MILLIS;
        }
    }

    /** {@code mayStart}: how many lookups this instance may have in flight now (its limit and its share). */
    private Lookup claimWithPermit(int mayStart) {
        java.util.Set<Integer> withWork = null;
        for (int level = queues.size() - 1; level >= 1; level--) {
            if (inFlightPerLevel[level] >= levelConcurrency[level - 1]) {
                continue;
            }
            if (withWork == null) {
                // one look at the checkpoint rather than a permit taken and given back per empty level
                withWork = shared.levelsWithWork();
            }
            if (!withWork.contains(level)) {
                continue;
            }
            // as many as this instance may start now, in one round trip each for the permits and the claim
            int want = Math.min(levelConcurrency[level - 1] - inFlightPerLevel[level], mayStart - inFlight);
            List<SharedCrawlLimits.Permit> taken = shared.tryAcquire(level, want);
            if (taken.isEmpty()) {
                continue;
            }
            List<Lookup> claimed;
            try {
                claimed = shared.claim(level, taken.size());
            } catch (RuntimeException databaseAway) {
                for (SharedCrawlLimits.Permit permit : taken) {
                    shared.release(level, permit);
                }
                throw databaseAway;
            }
            for (int i = claimed.size(); i < taken.size(); i++) {
                shared.release(level, taken.get(i));
            }
            if (claimed.isEmpty()) {
                continue;
            }
            for (int i = 0; i < claimed.size(); i++) {
                permits.put(claimed.get(i), taken.get(i));
            }
            // the first starts now, the others (their permits held) on the next calls
            for (Lookup next : claimed.subList(1, claimed.size())) {
                queues.get(level).addLast(next);
            }
            return claimed.get(0);
        }
        return null;
    }

    /** A spread crawl that stops with lookups queued here (their permits taken): the permits go back now, not after their lease. */
    private void givePermitsBack() {
        if (shared == null) {
            return;
        }
        for (java.util.Map.Entry<Lookup, SharedCrawlLimits.Permit> held : permits.entrySet()) {
            shared.release(held.getKey().level(), held.getValue());
        }
        permits.clear();
    }

    /**
     * Keeps the permits of lookups in flight here (and queued with their permits) from expiring while they last:
     * a lookup longer than the lease (retries, a slow answer) would otherwise let another start beyond the limits.
     */
    private void renewPermits(long now) {
        if (shared == null) {
            return;
        }
        if (now - lastShareNanos >= SHARE_EVERY_MILLIS * 1_000_000) {
            lastShareNanos = now;
            try {
                shared.refreshShare();
            } catch (RuntimeException databaseAway) {
                // the share stays as it was
            }
        }
        if (permits.isEmpty() || now - lastRenewNanos < shared.renewEveryMillis() * 1_000_000) {
            return;
        }
        lastRenewNanos = now;
        Map<Integer, List<SharedCrawlLimits.Permit>> byLevel = new HashMap<>();
        permits.forEach((lookup, permit) -> byLevel.computeIfAbsent(lookup.level(), l -> new ArrayList<>()).add(permit));
        try {
            shared.renew(byLevel);
        } catch (RuntimeException redisAway) {
            // renewed on the next look; a permit that expires meanwhile lets one more lookup start, no worse
        }
    }

    /** Whether a spread crawl has lookups left anywhere; while that cannot be told (an outage), it has. */
    private boolean sharedWorkLeft() {
        try {
            return shared.workLeft();
        } catch (RuntimeException away) {
            return true;
        }
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
