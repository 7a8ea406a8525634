package io.harvester.jobs;


import io.harvester.runs.RunHeartbeat;
import io.harvester.runs.RunLifecycle;
import io.harvester.runs.RunSettings;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/**
 * Binds {@code harvesterJobs} and puts Camel {@code step}s under job control. Runs after
 * {@code RunsConfiguration}. The job kind ({@link JobKind}) checks the {@code harvester.jobs.*} properties
 * at start-up.
 */
public class JobsConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        RunLifecycle lifecycle = context.getRegistry().lookupByNameAndType("runLifecycle", RunLifecycle.class);
        Jobs jobs = new Jobs(context, lifecycle, RunSettings.from(context));
        context.getRegistry().bind("harvesterJobs", jobs);
        context.getRegistry().lookupByNameAndType("runHeartbeat", RunHeartbeat.class).setThresholds(jobs::stuckThresholds);
        context.getCamelContextExtension().addInterceptStrategy(new JobStepInterceptor());
    }
}
