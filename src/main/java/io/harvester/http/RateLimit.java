package io.harvester.http;

/**
 * Spaces request starts at least 1/rate seconds apart, so no one-second window holds more than
 * {@code ratePerSecond} starts. Zero or less means no limit. One limiter for crawls and exports; not thread-safe
 * (its users call it under their own lock).
 */
public final class RateLimit {

    private final long intervalNanos;
    private long nextStart = Long.MIN_VALUE;

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

    /** Nanoseconds to wait before the next start may go; 0 when it may go now (and is then counted). */
    public long reserve(long now) {
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
