package io.harvester.reload;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

import io.harvester.crawl.HierarchyCrawl;
import io.harvester.infra.CamelFailures;
import io.harvester.infra.PropertyNames;
import io.harvester.trigger.TriggerComponent;
import io.harvester.trigger.TriggerEndpoint;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.ServiceStatus;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.util.IOHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces the routes of one edited route file (and of the files using its templates) in a running
 * context: the old routes are stopped and removed with their definitions and templates, then the new
 * text is loaded, templated routes included. When Camel refuses the new text, whatever of it was added
 * is removed and the previous text is loaded again, so the file's previous routes keep running.
 */
final class RouteSwap {

    private static final Logger LOG = LoggerFactory.getLogger(RouteSwap.class);

    private final ModelCamelContext context;
    private final Path file;
    private final String oldText;
    private final String newText;
    private final Set<String> oldRoutes;
    private final Map<Path, String> oldDependents;
    private final Map<Path, String> newDependents;

    /**
     * @param oldRoutes     the routes to replace: the file's, and those made from its templates
     * @param oldDependents files whose templated routes use the file's templates, with their text as last applied
     * @param newDependents the same files with the text to load after the file (their new one when changed too)
     */
    RouteSwap(CamelContext context, Path file, String oldText, String newText, Set<String> oldRoutes,
              Map<Path, String> oldDependents, Map<Path, String> newDependents) {
        this.context = (ModelCamelContext) context;
        this.file = file;
        this.oldText = oldText;
        this.newText = newText;
        this.oldRoutes = oldRoutes;
        this.oldDependents = oldDependents;
        this.newDependents = newDependents;
    }

    /** Swaps the routes; empty when done, else why the new text was refused (the old routes run again). */
    Optional<String> run() {
        Map<String, String> pipelinesBefore = pipelines(context, oldRoutes);
        Set<ObjectName> viewsBefore = crawlViews();
        Map<String, ServiceStatus> statuses = new LinkedHashMap<>();
        for (String id : oldRoutes) {
            ServiceStatus status = context.getRouteController().getRouteStatus(id);
            if (status != null) {
                statuses.put(id, status);
            }
        }
        try {
            replace(oldRoutes, templates(oldText), newText, newDependents);
            keepStopped(statuses);
            forgetGone(pipelinesBefore);
            return Optional.empty();
        } catch (Exception refused) {
            String reason = CamelFailures.describe(refused);
            try {
                forgetFailedCrawlViews(viewsBefore);
                Set<String> added = new LinkedHashSet<>(oldRoutes);
                added.addAll(declared(newText).routeIds());
                newDependents.forEach((other, text) -> added.addAll(RouteDeclarations.parse(other, text).routeIds()));
                Set<String> addedTemplates = new LinkedHashSet<>(templates(oldText));
                addedTemplates.addAll(templates(newText));
                replace(added, addedTemplates, oldText, oldDependents);
                keepStopped(statuses);
                forgetGoneCrawls(pipelinesBefore);
                forgetFailedCrawlViews(viewsBefore);
            } catch (Exception restoring) {
                return Optional.of(reason + "; loading its previous routes again failed too: "
                        + CamelFailures.describe(restoring));
            }
            return Optional.of(reason);
        }
    }

    private void replace(Set<String> routes, Set<String> templates, String text, Map<Path, String> dependents) throws Exception {
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

    /**
     * A route an operator stopped or suspended (JMX, Camel CLI) before the edit is stopped or suspended
     * again once loaded anew: an edit must not start what was deliberately halted.
     */
    private void keepStopped(Map<String, ServiceStatus> statuses) throws Exception {
        for (Map.Entry<String, ServiceStatus> entry : statuses.entrySet()) {
            String id = entry.getKey();
            if (context.getRoute(id) == null) {
                continue;
            }
            if (entry.getValue().isStopped()) {
                context.getRouteController().stopRoute(id);
                LOG.info("Route {} was stopped before the edit of {}: stopped again", id, RouteFileReload.display(file));
            } else if (entry.getValue().isSuspended()) {
                context.getRouteController().suspendRoute(id);
                LOG.info("Route {} was suspended before the edit of {}: suspended again", id, RouteFileReload.display(file));
            }
        }
    }

    /**
     * A pipeline the edit removed (deleted or renamed) leaves nothing behind: its crawl JMX view (Camel never
     * calls a template bean's destroyMethod), its Quartz job and trigger in the shared store (which would
     * keep firing on every instance with no endpoint for it).
     */
    private void forgetGone(Map<String, String> pipelinesBefore) {
        forgetGoneCrawls(pipelinesBefore);
        Set<String> declared = TriggerComponent.declared(context);
        pipelinesBefore.values().stream().filter(p -> !declared.contains(p)).distinct().forEach(p -> {
            TriggerComponent.of(context).forgetSchedule(p);
            warnLeftSettings(p);
        });
    }

    /**
     * Settings naming a pipeline the edit removed are accepted now, but the next start-up refuses them
     * (misspelt-name check): said at once, naming each property.
     */
    private void warnLeftSettings(String pipeline) {
        List<String> prefixes = new ArrayList<>();
        prefixes.add("harvester.schedule." + pipeline.replaceFirst(":", ".") + ".");
        if (pipeline.startsWith("job:")) {
            prefixes.add("harvester.jobs." + pipeline.substring("job:".length()) + ".");
        }
        Set<String> left = new TreeSet<>();
        for (String name : PropertyNames.of(context)) {
            if (prefixes.stream().anyMatch(name::startsWith)) {
                left.add(name);
            }
        }
        for (String variable : System.getenv().keySet()) {
            if (prefixes.stream().anyMatch(prefix -> variable.startsWith(IOHelper.normalizeEnvironmentVariable(prefix)))) {
                left.add(variable);
            }
        }
        left.forEach(name -> LOG.warn("Pipeline {} was removed by the edit of {}, but {} still names it: the next start-up"
                + " refuses it; remove it", pipeline, RouteFileReload.display(file), name));
    }

    private static Set<ObjectName> crawlViews() {
        try {
            return ManagementFactory.getPlatformMBeanServer().queryNames(new ObjectName("io.harvester:type=crawl,*"), null);
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A refused text's crawls may have registered their JMX views (their beans were made) before Camel
     * refused it: views that were not there before and whose crawl no route runs are removed.
     */
    private void forgetFailedCrawlViews(Set<ObjectName> viewsBefore) {
        Set<String> declared = TriggerComponent.declared(context);
        for (ObjectName view : crawlViews()) {
            String crawl = ObjectName.unquote(view.getKeyProperty("name"));
            if (!viewsBefore.contains(view) && !declared.contains("crawl:" + crawl)) {
                HierarchyCrawl.unregisterView(crawl);
            }
        }
    }

    /** Camel never calls a template bean's destroyMethod: a crawl gone for good takes its JMX view with it here. */
    private void forgetGoneCrawls(Map<String, String> pipelinesBefore) {
        Set<String> declared = TriggerComponent.declared(context);
        pipelinesBefore.values().stream().filter(p -> p.startsWith("crawl:") && !declared.contains(p))
                .forEach(p -> HierarchyCrawl.unregisterView(p.substring("crawl:".length())));
    }

    private Set<String> templates(String text) {
        return declared(text).templates().keySet();
    }

    private RouteDeclarations declared(String text) {
        return text == null ? RouteDeclarations.none(file) : RouteDeclarations.parse(file, text);
    }
}
