package io.harvester.crawl;

import java.util.Map;

import io.harvester.trigger.PipelineView;
import io.harvester.runs.TriggerKind;
import org.apache.camel.CamelContext;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedOperation;
import org.apache.camel.api.management.ManagedResource;

/**
 * A crawl as JMX shows it ({@code io.harvester:type=crawl,name="<name>"}): what every pipeline shows, its
 * adaptive limit at work, and a retry of the failed subtrees, assembled by Camel from its annotations.
 */
@ManagedResource(description = "A Harvester hierarchy crawl")
public class CrawlView extends PipelineView {

    private final HierarchyCrawl crawl;

    CrawlView(HierarchyCrawl crawl, CamelContext context) {
        super(context, crawl.pipeline());
        this.crawl = crawl;
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

    @ManagedOperation(description = "Makes only the failed lookups of the newest run again, when that run is partial;"
            + " returns the id of the run that does")
    public long retryFailedSubtrees() {
        if (crawl.latestPartial(-1).isEmpty()) {
            throw new IllegalStateException("nothing to retry: the newest finished run of " + crawl.pipeline() + " is not partial");
        }
        return start(Map.of(TriggerKind.HEADER, TriggerKind.MANUAL.value(), HierarchyCrawl.RETRY_FAILED, true));
    }
}
