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
    private final int fairShare;

    SpreadFrontier(LiveRun live, CrawlCheckpoint checkpoint, SharedCrawlLimits limits, long leaseMillis, int maxInFlight) {
        this.live = live;
        this.checkpoint = checkpoint;
        this.limits = limits;
        this.instance = live.store().owner();
        this.leaseMillis = leaseMillis;
        long alive = Math.max(1, live.store().heartbeats().alive(leaseMillis));
        this.fairShare = (int) Math.max(1, (maxInFlight + alive - 1) / alive);
    }

    @Override
    public int fairShare() {
        return fairShare;
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
    public SharedCrawlLimits.Permit tryAcquire(int level) {
        return limits.tryAcquire(level);
    }

    @Override
    public List<SharedCrawlLimits.Permit> tryAcquire(int level, int want) {
        return limits.tryAcquire(level, want);
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
