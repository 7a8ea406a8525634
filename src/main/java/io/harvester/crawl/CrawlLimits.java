package io.harvester.crawl;

import java.util.Arrays;

/** How hard a crawl may press its API: depth, concurrency per level and in all, rate, breaker wait. */
public final class CrawlLimits {

    private int depth = 4;
    private int[] levelConcurrency = {5, 10, 15, 20};
    private int maxInFlight = 20;
    private double ratePerSecond;
    private long breakerWaitMs = 120_000;

    /** Throws naming the pipeline and the parameter when a value cannot work. */
    void validate(String pipeline) {
        if (depth < 1) {
            throw new IllegalArgumentException(pipeline + ": depth must be at least 1, was " + depth);
        }
        if (levelConcurrency.length < depth) {
            throw new IllegalArgumentException(pipeline + ": levelConcurrency has " + levelConcurrency.length
                    + " values for depth " + depth);
        }
        if (Arrays.stream(levelConcurrency).anyMatch(c -> c < 1)) {
            throw new IllegalArgumentException(pipeline + ": every levelConcurrency value must be at least 1, was "
                    + Arrays.toString(levelConcurrency));
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException(pipeline + ": maxInFlight must be at least 1, was " + maxInFlight);
        }
        if (ratePerSecond < 0) {
            throw new IllegalArgumentException(pipeline + ": ratePerSecond must be 0 (no limit) or more, was " + ratePerSecond);
        }
    }

    int depth() {
        return depth;
    }

    int[] levelConcurrency() {
        return levelConcurrency.clone();
    }

    int maxInFlight() {
        return maxInFlight;
    }

    double ratePerSecond() {
        return ratePerSecond;
    }

    long breakerWaitMs() {
        return breakerWaitMs;
    }

    public void setDepth(int depth) {
        this.depth = depth;
    }

    public void setLevelConcurrency(String levelConcurrency) {
        try {
            this.levelConcurrency = Arrays.stream(levelConcurrency.split(",")).map(String::trim)
                    .mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("levelConcurrency must be whole numbers separated by commas, was '"
                    + levelConcurrency + "'", e);
        }
    }

    public void setMaxInFlight(int maxInFlight) {
        this.maxInFlight = maxInFlight;
    }

    public void setRatePerSecond(double ratePerSecond) {
        this.ratePerSecond = ratePerSecond;
    }

    public void setBreakerWaitMs(long breakerWaitMs) {
        this.breakerWaitMs = breakerWaitMs;
    }
}
