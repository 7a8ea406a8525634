package io.harvester.jobs;

import java.util.Set;
import java.util.stream.Collectors;

import io.harvester.infra.PropertyNames;
import io.harvester.runs.RunHeartbeat;
import io.harvester.runs.RunLifecycle;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.model.ModelCamelContext;

/**
 * Binds {@code harvesterJobs} and puts Camel {@code step}s under job control. Runs after
 * {@code RunsConfiguration}. Once the routes are known, {@code harvester.jobs.*} properties that name no
 * job stop start-up.
 */
public class JobsConfiguration implements CamelConfiguration {

    static final String TRIGGER = "trigger:job:";

    @Override
    public void configure(CamelContext context) throws Exception {
        RunLifecycle lifecycle = context.getRegistry().lookupByNameAndType("runLifecycle", RunLifecycle.class);
        Jobs jobs = new Jobs(context, lifecycle);
        context.getRegistry().bind("harvesterJobs", jobs);
        context.getRegistry().lookupByNameAndType("runHeartbeat", RunHeartbeat.class).setThresholds(jobs::stuckThresholds);
        context.getCamelContextExtension().addInterceptStrategy(new JobStepInterceptor());
        context.addStartupListener((started, alreadyStarted) -> {
            if (!alreadyStarted) {
                JobSettings.requireKnown(PropertyNames.of(started), jobNames(started));
            }
        });
    }

    /** The jobs the loaded routes declare: every route from {@code trigger:job:<name>}. */
    static Set<String> jobNames(CamelContext context) {
        return ((ModelCamelContext) context).getRouteDefinitions().stream()
                .map(r -> r.getInput() == null ? null : r.getInput().getEndpointUri())
                .filter(uri -> uri != null && uri.startsWith(TRIGGER))
                .map(uri -> uri.substring(TRIGGER.length()).split("\\?", 2)[0])
                .collect(Collectors.toSet());
    }
}
