package io.harvester.crawl;

/** A crawl as JMX shows it ({@code io.harvester:type=crawl,name=<name>}): its adaptive limit at work. */
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
}
