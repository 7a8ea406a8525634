package io.harvester.crawl;

import java.util.List;

import io.harvester.runs.LiveRun;

/**
 * The shared part of a spread crawl's frontier ({@code spread: true}) for one instance: the run's pending
 * nodes in the checkpoint, claimed as permits come free, and the cluster's limits in Redis. The owner and every
 * helping instance have one; a helper's work is left once the run is no longer live.
 */
final class SpreadFrontier implements CrawlFrontier.Shared {

    private final LiveRun live;
    private final CrawlCheckpoint checkpoint;
    private final SharedCrawlLimits limits;
    private final String instance;
    private final long leaseMillis;
    private final int maxInFlight;
    private final long startedNanos;
    /** Live instances when this instance began working on the run. */
    private final int alive;
    private volatile int fairShare;

    SpreadFrontier(LiveRun live, CrawlCheckpoint checkpoint, SharedCrawlLimits limits, long leaseMillis, int maxInFlight) {
        this.live = live;
        this.checkpoint = checkpoint;
        this.limits = limits;
        this.instance = live.store().owner();
        this.leaseMillis = leaseMillis;
        this.maxInFlight = maxInFlight;
        this.startedNanos = System.nanoTime();
        this.alive = (int) Math.max(1, live.store().heartbeats().alive(leaseMillis));
        this.fairShare = share(alive);
    }

    private int share(int instances) {
        return Math.max(1, (maxInFlight + instances - 1) / instances);
    }

    @Override
    public int fairShare() {
        return fairShare;
    }

    /**
     * Shares the lookups in flight among the instances that made lookups of the run within the last lease; for the
     * first lease, among every live instance at least (those that have the crawl join within a beat, before their
     * first claim).
     */
    @Override
    public void refreshShare() {
        int instances = 1 + checkpoint.otherClaimers(live.id(), instance, leaseMillis);
        if (System.nanoTime() - startedNanos < leaseMillis * 1_000_000) {
            instances = Math.max(instances, alive);
        }
        fairShare = share(instances);
    }

    @Override
    public List<Lookup> claim(int level, int max) {
        // a lookup of level l asks for the children of a node of level l - 1
        return checkpoint.claim(live.id(), instance, leaseMillis, level - 1, max).stream().map(Lookup::of).toList();
    }

    @Override
    public java.util.Set<Integer> levelsWithWork() {
        return checkpoint.claimableLevels(live.id(), leaseMillis).stream().map(level -> level + 1)
                .collect(java.util.stream.Collectors.toSet());
    }

    @Override
    public boolean workLeft() {
        return checkpoint.anyPending(live.id()) && (!live.helping() || live.store().isLive(live.id()));
    }

    @Override
    public List<SharedCrawlLimits.Permit> tryAcquire(int level, int want) {
        return limits.tryAcquire(level, want);
    }

    @Override
    public long renewEveryMillis() {
        return limits.renewEveryMillis();
    }

    @Override
    public void renew(java.util.Map<Integer, List<SharedCrawlLimits.Permit>> byLevel) {
        limits.renew(byLevel);
    }

    @Override
    public void release(int level, SharedCrawlLimits.Permit permit) {
        limits.release(level, permit);
    }

    /** This instance's claims on lookups it did not make go back to the others (it stops, or starts anew). */
    void releaseClaims() {
        checkpoint.releaseClaims(live.id(), instance);
    }
}
