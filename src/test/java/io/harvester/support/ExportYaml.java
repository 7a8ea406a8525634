package io.harvester.support;

import java.util.LinkedHashMap;
import java.util.Map;

/** Writes the {@code templatedRoute} YAML a user would put in routes/exports.camel.yaml or routes/crawls.camel.yaml. */
public final class ExportYaml {

    private final StringBuilder yaml = new StringBuilder();

    public static ExportYaml exports() {
        return new ExportYaml();
    }

    public ExportYaml export(String name, String url, Map<String, String> parameters) {
        return route("paged-export", "export-" + name, name, url, parameters);
    }

    /** A templatedRoute of any template, with the name and url parameters first. */
    public ExportYaml route(String template, String routeId, String name, String url, Map<String, String> parameters) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("name", name);
        all.put("url", url);
        all.putAll(parameters);
        yaml.append("- templatedRoute:\n")
                .append("    routeTemplateRef: ").append(template).append('\n')
                .append("    routeId: ").append(routeId).append('\n')
                .append("    parameters:\n");
        all.forEach((k, v) -> yaml.append("      - name: ").append(k).append('\n')
                .append("        value: \"").append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"\n"));
        return this;
    }

    public String yaml() {
        return yaml.toString();
    }
}
