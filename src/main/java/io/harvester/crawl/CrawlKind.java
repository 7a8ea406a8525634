package io.harvester.crawl;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.harvester.pipeline.PipelineKind;
import io.harvester.pipeline.PipelineRefused;
import io.harvester.runs.RunRepository;
import org.apache.camel.CamelContext;

/**
 * Hierarchy crawls ({@code crawl:<name>}): each crawl's bean registers its own view ({@link CrawlView}),
 * which goes when a live route edit removes the crawl; a start may retry the failed lookups of the newest
 * partial run ({@code retryFailed}).
 */
public final class CrawlKind implements PipelineKind {

    public static final String NAME = "crawl";
    private final RunRepository runs;

    public CrawlKind(RunRepository runs) {
        this.runs = runs;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Its steps count pages or nodes; what a run wrote is its CSV's rows. */
    @Override
    public boolean stepRecordsAreWrites() {
        return false;
    }

    @Override
    public boolean ownView() {
        return true;
    }

    /** Camel does not call a route template bean's destroyMethod when its route is removed: its view goes here. */
    @Override
    public void release(CamelContext context, String pipeline) {
        HierarchyCrawl.unregisterView(pipeline.substring(NAME.length() + 1));
    }

    @Override
    public List<String> startParams(String pipeline) {
        return List.of("retryFailed");
    }

    @Override
    public Map<String, Object> startHeaders(String pipeline, Map<String, JsonNode> params) {
        Map<String, Object> headers = new HashMap<>();
        for (Map.Entry<String, JsonNode> param : params.entrySet()) {
            String field = "params." + param.getKey();
            if (!param.getKey().equals("retryFailed")) {
                throw new PipelineRefused(400, field, pipeline + " takes no parameter '" + param.getKey() + "' (crawls take: retryFailed)");
            }
            if (!param.getValue().isBoolean()) {
                throw new PipelineRefused(400, field, "retryFailed must be true or false");
            }
            if (param.getValue().asBoolean()) {
                if (HierarchyCrawl.latestPartial(runs, pipeline, -1).isEmpty()) {
                    throw new PipelineRefused(409, field, "nothing to retry: the newest finished run of " + pipeline + " is not partial");
                }
                headers.put(HierarchyCrawl.RETRY_FAILED, true);
            }
        }
        return headers;
    }
}
