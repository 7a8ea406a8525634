package io.harvester.crawl;

/**
 * A crawl as JMX shows it ({@code io.harvester:type=crawl,name=<name>}): its adaptive limit at work, and
 * two operations for operators (JConsole, Jolokia).
 */
public interface CrawlMXBean {

    String getPipeline();

    /** The in-flight limit now (AIMD between 1 and MaxInFlight). */
    int getCurrentLimit();

    int getMaxInFlight();

    int getInFlight();

    int getPending();

    /** The limit's changes as {@code epochMillis=limit} entries, oldest first. */
    String[] getLimitHistory();

    long getCurrentRunId();

    /** Starts a run now in the background (it continues an interrupted run, if any); says what it did. */
    String runNow();

    /** Starts a run that makes only the failed lookups of the newest run again, when that run is partial. */
    String retryFailedSubtrees();
}
