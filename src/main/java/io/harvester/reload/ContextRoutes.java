package io.harvester.reload;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.harvester.trigger.TriggerEndpoint;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/**
 * The running context's side of a swap: routes stopped and removed with their definitions, templates
 * removed, a route file's text loaded as Camel loads it at start-up.
 */
final class ContextRoutes {

    private final ModelCamelContext context;

    ContextRoutes(CamelContext context) {
        this.context = (ModelCamelContext) context;
    }

    /**
     * Removes the routes and templates, then loads {@code text} as the content of {@code file} and the
     * {@code dependents} (files using its templates) after it.
     */
    void replace(Set<String> routes, Set<String> templates, Path file, String text, Map<Path, String> dependents) throws Exception {
        for (String id : routes) {
            remove(id);
        }
        for (String template : templates) {
            context.removeRouteTemplateDefinitions(template);
        }
        if (text != null && !text.isBlank()) {
            // Camel refuses an empty resource; an empty route file declares nothing
            load(file, text);
        }
        for (Map.Entry<Path, String> dependent : dependents.entrySet()) {
            load(dependent.getKey(), dependent.getValue());
        }
    }

    /**
     * Stops the route (gracefully: its trigger takes no new run, a run in flight gets the shutdown timeout)
     * and removes it with its definition: a definition left behind would clash with the new one's node ids.
     */
    private void remove(String routeId) throws Exception {
        if (context.getRoute(routeId) != null) {
            context.getRouteController().stopRoute(routeId);
        }
        RouteDefinition definition = context.getRouteDefinition(routeId);
        if (definition != null) {
            context.removeRouteDefinition(definition);
        }
        if (context.getRoute(routeId) != null) {
            context.removeRoute(routeId);
        }
    }

    /** Loads a route file's text as Camel loads it at start-up: routes and templates, then templated routes. */
    private void load(Path source, String text) throws Exception {
        var resource = ResourceHelper.fromString("file:" + source, text);
        for (RoutesBuilder builder : PluginHelper.getRoutesLoader(context).findRoutesBuilders(List.of(resource))) {
            context.addRoutes(builder);
            // Camel's own reload (RoutesBuilder.updateRoutesToCamelContext) leaves templated routes out
            context.addTemplatedRoutes(builder);
        }
    }

    /** Route id to the pipeline it runs ({@code trigger:<pipeline>}), for the routes that run one. */
    static Map<String, String> pipelines(CamelContext context, Set<String> routes) {
        Map<String, String> pipelines = new LinkedHashMap<>();
        for (String id : routes) {
            Route route = context.getRoute(id);
            if (route != null && route.getEndpoint() instanceof TriggerEndpoint trigger) {
                pipelines.put(id, trigger.getPipeline());
            }
        }
        return pipelines;
    }
}
