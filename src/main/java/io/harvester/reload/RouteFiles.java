package io.harvester.reload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import io.harvester.infra.NearestName;
import io.harvester.reload.RouteDeclarations.Template;
import io.harvester.reload.RouteDeclarations.Use;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the route files before Camel does, to say clearly what Camel would skip or accept silently: a
 * file in {@code routes/} that is neither a {@code *.camel.yaml} nor a {@code *.camel.xml} (WARN), a
 * {@code templatedRoute} naming a template that does not exist, missing a required parameter or giving
 * one the template does not declare (a misspelling: the closest declared name is suggested), two
 * pipelines of the same name, and no pipeline at all (WARN). Errors fail start-up naming the file and
 * the route. A live edit of a route file goes through the same checks ({@link #checkUses}).
 */
public final class RouteFiles {

    public static final Path ROUTES = Path.of("routes");
    private static final Logger LOG = LoggerFactory.getLogger(RouteFiles.class);

    private RouteFiles() {
    }

    /**
     * Checks the route files under {@code root}; returns each declared route id with the file declaring
     * it. {@code withDemo} false leaves out {@code demo/}, as the prod profile's routes-exclude-pattern does.
     */
    public static Map<String, String> check(Path root, boolean withDemo) {
        if (!Files.isDirectory(root)) {
            LOG.warn("No {} folder in {}: no pipelines", root, Path.of("").toAbsolutePath());
            return Map.of();
        }
        Map<String, Template> templates = new HashMap<>();
        List<Use> uses = new ArrayList<>();
        Set<String> pipelineRoutes = new LinkedHashSet<>();
        Map<String, String> routeFiles = new LinkedHashMap<>();
        for (Path file : files(root)) {
            if (!withDemo && file.startsWith(root.resolve("demo"))) {
                continue;
            }
            if (!RouteDeclarations.isRouteFile(file)) {
                if (!file.getFileName().toString().startsWith(".")) {
                    LOG.warn("Ignored: {}; route files end in {} or {}", file, RouteDeclarations.YAML, RouteDeclarations.XML);
                }
                continue;
            }
            RouteDeclarations declared = RouteDeclarations.parse(file, read(file));
            templates.putAll(declared.templates());
            uses.addAll(declared.uses());
            declared.routeIds().forEach(id -> routeFiles.put(id, file.toString()));
            // Harvester's own files (harvester-*) run its own pipelines (dispatch, retention), not the user's
            boolean own = file.getFileName().toString().startsWith("harvester-");
            declared.routes().forEach((id, from) -> {
                if (!own && from.startsWith("trigger:")) {
                    pipelineRoutes.add(id);
                }
            });
        }
        checkUses(uses, templates, new HashMap<>());
        if (uses.isEmpty() && pipelineRoutes.isEmpty()) {
            LOG.warn("No pipeline is declared in {}: add a templatedRoute to routes/exports.camel.yaml or routes/crawls.camel.yaml, or a route from trigger: (a job)",
                    root);
        }
        return routeFiles;
    }

    /**
     * Checks templated routes against the templates they name, and their pipeline names against
     * {@code pipelines} (pipeline to the file declaring it; the new ones are added). Throws naming the
     * file and route of the first mistake.
     */
    public static void checkUses(List<Use> uses, Map<String, Template> templates, Map<String, Path> pipelines) {
        for (Use use : uses) {
            String where = use.file() + ": " + (use.routeId() == null ? "templatedRoute of " + use.template()
                    : "route " + use.routeId()) + ": ";
            Template template = templates.get(use.template());
            if (template == null) {
                throw new IllegalArgumentException(where + "routeTemplateRef '" + use.template()
                        + "' names no template" + NearestName.suggestion(use.template(), templates.keySet()) + " (templates: "
                        + String.join(", ", new TreeSet<>(templates.keySet())) + ")");
            }
            for (String given : use.parameters().keySet()) {
                if (!template.parameters().contains(given)) {
                    throw new IllegalArgumentException(where + "parameter '" + given + "' is not a parameter of template "
                            + template.id() + NearestName.suggestion(given, template.parameters()));
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
    }

    private static List<Path> files(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + root + ": " + e.getMessage(), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
