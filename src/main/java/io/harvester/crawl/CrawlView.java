package io.harvester.crawl;

import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedOperation;
import org.apache.camel.api.management.ManagedResource;

/**
 * A crawl as JMX shows it ({@code io.harvester:type=crawl,name="<name>"}): its adaptive limit at work,
 * and two operations for operators (JConsole, Jolokia), assembled by Camel from its annotations.
 */
@ManagedResource(description = "A Harvester hierarchy crawl")
public class CrawlView {

    private final HierarchyCrawl crawl;

    CrawlView(HierarchyCrawl crawl) {
        this.crawl = crawl;
    }

    @ManagedAttribute(description = "The pipeline, crawl:<name>")
    public String getPipeline() {
        return crawl.pipeline();
    }

    @ManagedAttribute(description = "The in-flight limit now (AIMD between 1 and MaxInFlight)")
    public int getCurrentLimit() {
        CrawlRun run = crawl.current();
        return run == null ? crawl.maxInFlight() : run.limit().current();
    }

    @ManagedAttribute(description = "Most lookups in flight")
    public int getMaxInFlight() {
        return crawl.maxInFlight();
    }

    @ManagedAttribute(description = "Lookups in flight now")
    public int getInFlight() {
        CrawlRun run = crawl.current();
        return run == null ? 0 : run.frontier().inFlight();
    }

    @ManagedAttribute(description = "Lookups waiting to be made")
    public int getPending() {
        CrawlRun run = crawl.current();
        return run == null ? 0 : run.frontier().pendingCount();
    }

    @ManagedAttribute(description = "The limit's changes as epochMillis=limit entries, oldest first")
    public String[] getLimitHistory() {
        CrawlRun run = crawl.current();
        return run == null ? new String[0]
                : run.limit().history().stream().map(c -> c.atMillis() + "=" + c.limit()).toArray(String[]::new);
    }

    @ManagedAttribute(description = "Id of the current (or last) run; -1 before the first")
    public long getCurrentRunId() {
        CrawlRun run = crawl.current();
        return run == null ? -1 : run.id();
    }

    @ManagedOperation(description = "Starts a run now (it continues an interrupted run, if any)")
    public String runNow() {
        return crawl.runNow();
    }

    @ManagedOperation(description = "Makes only the failed lookups of the newest run again, when that run is partial")
    public String retryFailedSubtrees() {
        return crawl.retryFailedSubtrees();
    }
}
