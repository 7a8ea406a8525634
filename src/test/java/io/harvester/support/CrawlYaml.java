package io.harvester.support;

import java.util.LinkedHashMap;
import java.util.Map;

/** Writes the {@code templatedRoute} YAML a user would put in routes/crawls.camel.yaml. */
public final class CrawlYaml {

    private CrawlYaml() {
    }

    public static ExportYaml crawl(String name, String url, Map<String, String> parameters) {
        Map<String, String> all = new LinkedHashMap<>(parameters);
        return ExportYaml.exports().route("hierarchy-crawl", "crawl-" + name, name, url, all);
    }
}
