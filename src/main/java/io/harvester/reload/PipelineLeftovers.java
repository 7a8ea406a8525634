package io.harvester.reload;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

import io.harvester.crawl.HierarchyCrawl;
import io.harvester.infra.PropertyNames;
import io.harvester.trigger.TriggerComponent;
import org.apache.camel.CamelContext;
import org.apache.camel.util.IOHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the pipelines of an edited file leave behind when the edit removes them (deleted or renamed), or
 * when a refused text made them: a crawl's JMX view (Camel never calls a template bean's destroyMethod),
 * the Quartz job and trigger in the shared store (which would keep firing on every instance with no
 * endpoint for it), settings still naming them. What there was is taken note of before the swap.
 */
final class PipelineLeftovers {

    /** The swap's lines carry one name, as they did before it was split in stages. */
    private static final Logger LOG = LoggerFactory.getLogger(RouteSwap.class);

    private final CamelContext context;
    /** Route id to its pipeline, before the edit. */
    private final Map<String, String> pipelinesBefore;
    private final Set<ObjectName> viewsBefore;

    private PipelineLeftovers(CamelContext context, Map<String, String> pipelinesBefore, Set<ObjectName> viewsBefore) {
        this.context = context;
        this.pipelinesBefore = pipelinesBefore;
        this.viewsBefore = viewsBefore;
    }

    /** Takes note of the pipelines the routes run and of the crawl views there are, before the edit. */
    static PipelineLeftovers before(CamelContext context, Set<String> routeIds) {
        return new PipelineLeftovers(context, ContextRoutes.pipelines(context, routeIds), crawlViews());
    }

    /** A pipeline the edit of {@code file} removed leaves nothing behind: its JMX view, its schedule; its settings are named. */
    void forgetGone(Path file) {
        forgetGoneCrawls();
        Set<String> declared = TriggerComponent.declared(context);
        pipelinesBefore.values().stream().filter(p -> !declared.contains(p)).distinct().forEach(p -> {
            TriggerComponent.of(context).forgetSchedule(p);
            warnLeftSettings(p, file);
        });
    }

    /** Camel never calls a template bean's destroyMethod: a crawl gone for good takes its JMX view with it here. */
    void forgetGoneCrawls() {
        Set<String> declared = TriggerComponent.declared(context);
        pipelinesBefore.values().stream().filter(p -> p.startsWith("crawl:") && !declared.contains(p))
                .forEach(p -> HierarchyCrawl.unregisterView(p.substring("crawl:".length())));
    }

    /**
     * A refused text's crawls may have registered their JMX views (their beans were made) before Camel
     * refused it: views that were not there before and whose crawl no route runs are removed.
     */
    void forgetFailedCrawlViews() {
        Set<String> declared = TriggerComponent.declared(context);
        for (ObjectName view : crawlViews()) {
            String crawl = ObjectName.unquote(view.getKeyProperty("name"));
            if (!viewsBefore.contains(view) && !declared.contains("crawl:" + crawl)) {
                HierarchyCrawl.unregisterView(crawl);
            }
        }
    }

    /**
     * Settings naming a pipeline the edit removed are accepted now, but the next start-up refuses them
     * (misspelt-name check): said at once, naming each property.
     */
    private void warnLeftSettings(String pipeline, Path file) {
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
                + " refuses it; remove it", pipeline, FileNames.display(file), name));
    }

    private static Set<ObjectName> crawlViews() {
        try {
            return ManagementFactory.getPlatformMBeanServer().queryNames(new ObjectName("io.harvester:type=crawl,*"), null);
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }
}
