package io.harvester.crawl;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.harvester.infra.LuaScript;
import org.redisson.api.RRateLimiter;
import org.redisson.api.RScript;
import org.redisson.api.RateType;
import org.redisson.api.RedissonClient;
import org.slf4j.LoggerFactory;

/**
 * A spread crawl's limits, held for the whole cluster in Redis: one permit per lookup in flight of each
 * level ({@code levelConcurrency}) and in all ({@code maxInFlight}), and {@code ratePerSecond} lookups
 * started per second.
 * <p>
 * A permit has a lease ({@code harvester.cluster.lease}), so the permits of an instance that dies come back
 * once its lease runs out, as its claims on nodes do. That is Redisson's {@code RPermitExpirableSemaphore};
 * measured here it took 15 to 70 ms a {@code tryAcquire} (two per lookup: its level and the total), which
 * made a crawl over three instances half as fast as on one. The same design, expiring permits in a sorted set
 * scored by their expiry, both limits taken in one Lua call ({@code lua/crawl-permit-take.lua}), costs one
 * round trip. The rate is Redisson's {@link RRateLimiter}, shared by every instance.
 */
final class SharedCrawlLimits {

    /** The permit a lookup holds while in flight; returned with {@link #release}. */
    record Permit(String id) {
    }

    private static final AtomicLong PERMITS = new AtomicLong();
    /** This process among the instance's lives: a restarted instance's permit ids are new. */
    private static final String PROCESS = java.util.UUID.randomUUID().toString().substring(0, 8);

    private final LuaScript take;
    private final LuaScript give;
    private final LuaScript renew;
    private final String prefix;
    private final String owner;
    private final int[] levelConcurrency;
    private final int maxInFlight;
    private final RRateLimiter rate;
    private final long leaseMillis;

    SharedCrawlLimits(RedissonClient redisson, String pipeline, long runId, String instance, int[] levelConcurrency,
                      int maxInFlight, double ratePerSecond, long leaseMillis) {
        this.take = new LuaScript(redisson, "crawl-permit-take");
        this.give = new LuaScript(redisson, "crawl-permit-give");
        this.renew = new LuaScript(redisson, "crawl-permit-renew");
        this.prefix = "harvester:crawl:" + pipeline + ":run:" + runId + ":";
        this.owner = instance;
        this.levelConcurrency = levelConcurrency.clone();
        this.maxInFlight = maxInFlight;
        this.leaseMillis = leaseMillis;
        if (ratePerSecond > 0) {
            rate = redisson.getRateLimiter(prefix + "rate");
            // a rate below one a second is one lookup per 1/rate seconds
            if (ratePerSecond >= 1) {
                rate.trySetRate(RateType.OVERALL, Math.round(ratePerSecond), Duration.ofSeconds(1));
            } else {
                rate.trySetRate(RateType.OVERALL, 1, Duration.ofMillis(Math.round(1000 / ratePerSecond)));
            }
            rate.expire(Duration.ofDays(1));
        } else {
            rate = null;
        }
    }

    private List<Object> keys(int level) {
        return List.of(prefix + "in-flight", prefix + "level:" + level);
    }

    /** Up to {@code want} permits for lookups of {@code level}, as many as the cluster has free now (and the rate allows). */
    List<Permit> tryAcquire(int level, int want) {
        String batch = owner + ":" + PROCESS + ":" + PERMITS.incrementAndGet();
        Long taken = take.call(RScript.ReturnType.INTEGER, keys(level), batch, String.valueOf(leaseMillis),
                String.valueOf(maxInFlight), String.valueOf(levelConcurrency[level - 1]), String.valueOf(want));
        int n = taken == null ? 0 : taken.intValue();
        List<Permit> permits = new java.util.ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            permits.add(new Permit(batch + ":" + i));
        }
        if (n > 0 && rate != null && !rate.tryAcquire(n)) {
            permits.forEach(permit -> release(level, permit));
            return List.of();
        }
        return permits;
    }

    /** How often the permits still held are renewed: three times a lease. */
    long renewEveryMillis() {
        return Math.max(1, leaseMillis / 3);
    }

    /**
     * Renews the lease of the permits of lookups still in flight here (a lookup may take longer than the lease:
     * retries, a slow answer), by level; one that expired meanwhile is not taken again.
     */
    void renew(java.util.Map<Integer, List<Permit>> byLevel) {
        byLevel.forEach((level, held) -> {
            Object[] args = new Object[held.size() + 1];
            args[0] = String.valueOf(leaseMillis);
            for (int i = 0; i < held.size(); i++) {
                args[i + 1] = held.get(i).id();
            }
            renew.call(RScript.ReturnType.INTEGER, keys(level), args);
        });
    }

    /** Gives a lookup's permit back; one whose lease ran out meanwhile is gone already. */
    void release(int level, Permit permit) {
        try {
            give.call(RScript.ReturnType.INTEGER, keys(level), permit.id());
        } catch (RuntimeException redisAway) {
            // never fails the lookup that ended: its permit expires with its lease
            LoggerFactory.getLogger(SharedCrawlLimits.class).debug("Permit {} not given back: {}", permit.id(), redisAway.getMessage());
        }
    }
}
