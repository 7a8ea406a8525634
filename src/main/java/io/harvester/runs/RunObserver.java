package io.harvester.runs;

import java.time.Duration;

/**
 * Told what runs do, for metrics ({@code io.harvester.observe}): every end with its status, and the
 * measures pipelines report while they work. Keeps the pipelines free of any metrics library. Called
 * on the pipelines' own threads: an observer only touches memory and never throws.
 */
public interface RunObserver {

    /** Rows an export wrote (a count). */
    String ROWS = "rows";
    /** Pages an export fetched (a count). */
    String PAGES = "pages";
    /** Lookups a crawl made, answered or failed after their retries (a count). */
    String LOOKUPS = "lookups";
    /** A crawl's adaptive in-flight limit (a level). */
    String LIMIT = "limit";

    /** A run of {@code pipeline} ended with {@code status} after {@code took} (zero for a skipped trigger). */
    default void ended(String pipeline, RunStatus status, Duration took) {
    }

    /** {@code amount} more of {@code measure} (rows, pages, lookups) for {@code pipeline}. */
    default void counted(String pipeline, String measure, long amount) {
    }

    /** {@code measure} of {@code pipeline} is {@code value} now (the crawl limit). */
    default void level(String pipeline, String measure, long value) {
    }
}
