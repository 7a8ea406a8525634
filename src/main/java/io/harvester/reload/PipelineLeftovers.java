package io.harvester.reload;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

import io.harvester.infra.PropertyNames;
import io.harvester.pipeline.PipelineKinds;
import io.harvester.trigger.TriggerComponent;
import org.apache.camel.CamelContext;
import org.apache.camel.util.IOHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the pipelines of an edited file leave behind when the edit removes them (deleted or renamed), or
 * when a refused text made them: what their kind holds, such as a crawl's JMX view (Camel never calls a
 * template bean's destroyMethod),
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

    /** Takes note of the pipelines the routes run and of the pipeline views there are, before the edit. */
    static PipelineLeftovers before(CamelContext context, Set<String> routeIds) {
        return new PipelineLeftovers(context, ContextRoutes.pipelines(context, routeIds), pipelineViews(context));
    }

    /** A pipeline the edit of {@code file} removed leaves nothing behind: what its kind holds, its schedule; its settings are named. */
    void forgetGone(Path file) {
        releaseGone();
        Set<String> declared = TriggerComponent.declared(context);
        pipelinesBefore.values().stream().filter(p -> !declared.contains(p)).distinct().forEach(p -> {
            TriggerComponent.of(context).forgetSchedule(p);
            warnLeftSettings(p, file);
        });
    }

    /** A pipeline gone for good is released by its kind (Camel never calls a template bean's destroyMethod). */
    void releaseGone() {
        Set<String> declared = TriggerComponent.declared(context);
        pipelinesBefore.values().stream().distinct().filter(p -> !declared.contains(p))
                .forEach(p -> PipelineKinds.of(context, p).release(context, p));
    }

    /**
     * A refused text's pipelines may have registered their JMX views (a crawl's bean was made) before Camel
     * refused it: views that were not there before and whose pipeline no route runs are released by their kind.
     */
    void forgetFailedViews() {
        Set<String> declared = TriggerComponent.declared(context);
        for (ObjectName view : pipelineViews(context)) {
            String pipeline = view.getKeyProperty("type") + ":" + ObjectName.unquote(view.getKeyProperty("name"));
            if (!viewsBefore.contains(view) && !declared.contains(pipeline)) {
                PipelineKinds.of(context, pipeline).release(context, pipeline);
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
        prefixes.addAll(PipelineKinds.of(context, pipeline).settingPrefixes(pipeline));
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

    /** The JMX views of pipelines there are now: {@code io.harvester:type=<kind>,name=<name>}. */
    private static Set<ObjectName> pipelineViews(CamelContext context) {
        Set<String> kinds = PipelineKinds.all(context).keySet();
        try {
            Set<ObjectName> views = new HashSet<>();
            for (ObjectName view : ManagementFactory.getPlatformMBeanServer().queryNames(new ObjectName("io.harvester:*"), null)) {
                if (kinds.contains(view.getKeyProperty("type")) && view.getKeyProperty("name") != null) {
                    views.add(view);
                }
            }
            return views;
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }
}
