package io.harvester;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Reads the route files before Camel does, to say clearly what Camel would skip or accept silently: a
 * file in {@code routes/} that is not a {@code *.camel.yaml} (WARN), a {@code templatedRoute} naming a
 * template that does not exist, missing a required parameter or giving one the template does not
 * declare (a misspelling: the closest declared name is suggested), two pipelines of the same name,
 * and no pipeline at all (WARN). Errors fail start-up naming the file and the route.
 */
public final class RouteFiles {

    static final Path ROUTES = Path.of("routes");
    private static final Logger LOG = LoggerFactory.getLogger(RouteFiles.class);

    private record Template(String id, Set<String> parameters, Set<String> required) {
    }

    private record Use(Path file, String routeId, String template, Map<String, String> parameters) {
    }

    private RouteFiles() {
    }

    /**
     * Checks the route files under {@code root}; returns each declared route id with the file declaring
     * it. {@code withDemo} false leaves out {@code demo/}, as the prod profile's routes-exclude-pattern does.
     */
    static Map<String, String> check(Path root, boolean withDemo) {
        if (!Files.isDirectory(root)) {
            LOG.warn("No {} folder in {}: no pipelines", root, Path.of("").toAbsolutePath());
            return Map.of();
        }
        Map<String, Template> templates = new HashMap<>();
        List<Use> uses = new ArrayList<>();
        Set<String> jobs = new LinkedHashSet<>();
        Map<String, String> routeFiles = new LinkedHashMap<>();
        for (Path file : files(root)) {
            if (!withDemo && file.startsWith(root.resolve("demo"))) {
                continue;
            }
            String name = file.getFileName().toString();
            if (!name.endsWith(".camel.yaml")) {
                if (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".xml")) {
                    LOG.warn("Ignored: {}; route files end in .camel.yaml", file);
                }
                continue;
            }
            read(file, templates, uses, routeFiles, jobs);
        }
        Map<String, Path> pipelines = new HashMap<>();
        for (Use use : uses) {
            String where = use.file() + ": route " + use.routeId() + ": ";
            Template template = templates.get(use.template());
            if (template == null) {
                throw new IllegalArgumentException(where + "routeTemplateRef '" + use.template()
                        + "' names no template" + closest(use.template(), templates.keySet()) + " (templates: "
                        + String.join(", ", new TreeSet<>(templates.keySet())) + ")");
            }
            for (String given : use.parameters().keySet()) {
                if (!template.parameters().contains(given)) {
                    throw new IllegalArgumentException(where + "parameter '" + given + "' is not a parameter of template "
                            + template.id() + closest(given, template.parameters()));
                }
            }
            for (String required : template.required()) {
                if (!use.parameters().containsKey(required)) {
                    throw new IllegalArgumentException(where + "template " + template.id() + " needs parameter '"
                            + required + "'");
                }
            }
            String pipeline = use.template() + ":" + use.parameters().get("name");
            Path earlier = pipelines.putIfAbsent(pipeline, use.file());
            if (earlier != null) {
                throw new IllegalArgumentException(where + "a pipeline named '" + use.parameters().get("name")
                        + "' of template " + use.template() + " is declared twice (also in " + earlier + ")");
            }
        }
        if (uses.isEmpty() && jobs.isEmpty()) {
            LOG.warn("No pipeline is declared in {}: add a templatedRoute to routes/exports.camel.yaml or routes/crawls.camel.yaml, or a job route",
                    root);
        }
        return routeFiles;
    }

    private static List<Path> files(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + root + ": " + e.getMessage(), e);
        }
    }

    private static void read(Path file, Map<String, Template> templates, List<Use> uses, Map<String, String> routeFiles,
                             Set<String> jobs) {
        Object document;
        try {
            document = new Load(LoadSettings.builder().setLabel(file.toString()).build())
                    .loadFromString(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": not valid YAML: " + e.getMessage().replaceAll("\\s+", " "), e);
        }
        if (!(document instanceof List<?> entries)) {
            return;
        }
        for (Object entry : entries) {
            if (!(entry instanceof Map<?, ?> item)) {
                continue;
            }
            if (item.get("routeTemplate") instanceof Map<?, ?> template) {
                Set<String> parameters = new LinkedHashSet<>();
                Set<String> required = new LinkedHashSet<>();
                for (Map<?, ?> parameter : maps(template.get("parameters"))) {
                    String name = String.valueOf(parameter.get("name"));
                    parameters.add(name);
                    if (parameter.get("defaultValue") == null && !"false".equals(String.valueOf(parameter.get("required")))) {
                        required.add(name);
                    }
                }
                templates.put(String.valueOf(template.get("id")), new Template(String.valueOf(template.get("id")),
                        parameters, required));
            } else if (item.get("templatedRoute") instanceof Map<?, ?> use) {
                Map<String, String> parameters = new LinkedHashMap<>();
                for (Map<?, ?> parameter : maps(use.get("parameters"))) {
                    parameters.put(String.valueOf(parameter.get("name")), String.valueOf(parameter.get("value")));
                }
                String routeId = String.valueOf(use.get("routeId"));
                uses.add(new Use(file, routeId, String.valueOf(use.get("routeTemplateRef")), parameters));
                routeFiles.put(routeId, file.toString());
            } else if (item.get("route") instanceof Map<?, ?> route && route.get("id") != null) {
                routeFiles.put(String.valueOf(route.get("id")), file.toString());
                if (route.get("from") instanceof Map<?, ?> from && String.valueOf(from.get("uri")).startsWith("trigger:job:")) {
                    jobs.add(String.valueOf(route.get("id")));
                }
            }
        }
    }

    private static List<Map<?, ?>> maps(Object list) {
        List<Map<?, ?>> maps = new ArrayList<>();
        if (list instanceof List<?> items) {
            for (Object item : items) {
                if (item instanceof Map<?, ?> map) {
                    maps.add(map);
                }
            }
        }
        return maps;
    }

    /** " (did you mean 'x'?)" for the known name closest to a misspelt one, when one is close enough. */
    public static String closest(String given, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = distance(given.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best != null && bestDistance <= Math.max(2, given.length() / 3) ? " (did you mean '" + best + "'?)" : "";
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
