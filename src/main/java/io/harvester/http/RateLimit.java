package io.harvester.http;

/**
 * Spaces request starts at least 1/rate seconds apart, so no one-second window holds more than
 * {@code ratePerSecond} starts. Zero or less means no limit. The API may also hold every start until a time it
 * names ({@link #holdUntil}, its budget used up: {@link RateBudget}). One limiter for crawls and exports; not
 * thread-safe (its users call it under their own lock).
 */
public final class RateLimit {

    private final long intervalNanos;
    private long nextStart = Long.MIN_VALUE;
    /** No start before this nanoTime; MIN_VALUE: no hold. */
    private long heldUntil = Long.MIN_VALUE;

    public RateLimit(double ratePerSecond) {
        this.intervalNanos = ratePerSecond > 0 ? (long) Math.ceil(1_000_000_000L / ratePerSecond) : 0;
    }

    /** Books the first start at or after {@code earliest}; returns nanoseconds from {@code now} to it. */
    public long reserveAt(long now, long earliest) {
        if (intervalNanos == 0) {
            return Math.max(0, earliest - now);
        }
        long start = nextStart == Long.MIN_VALUE ? earliest : Math.max(earliest, nextStart);
        nextStart = start + intervalNanos;
        return Math.max(0, start - now);
    }

    /** No start before {@code nanoTime} (a later hold wins over an earlier one). */
    public void holdUntil(long nanoTime) {
        heldUntil = heldUntil == Long.MIN_VALUE ? nanoTime : Math.max(heldUntil, nanoTime);
    }

    /** Nanoseconds left of a hold at {@code now}; 0 without one. */
    public long held(long now) {
        return heldUntil == Long.MIN_VALUE ? 0 : Math.max(0, heldUntil - now);
    }

    /** Nanoseconds to wait before the next start may go; 0 when it may go now (and is then counted). */
    public long reserve(long now) {
        long held = held(now);
        if (held > 0) {
            return held;
        }
        if (intervalNanos == 0) {
            return 0;
        }
        if (nextStart == Long.MIN_VALUE || now >= nextStart) {
            nextStart = now + intervalNanos;
            return 0;
        }
        return nextStart - now;
    }
}
