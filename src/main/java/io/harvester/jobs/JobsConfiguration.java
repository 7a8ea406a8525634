package io.harvester.jobs;

import io.harvester.infra.Beans;
import io.harvester.runs.RunHeartbeat;
import io.harvester.runs.RunLifecycle;
import io.harvester.runs.RunSettings;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/**
 * Binds {@code harvesterJobs} and puts Camel {@code step}s under job control. The job kind ({@link JobKind}) checks the {@code harvester.jobs.*} properties
 * at start-up.
 */
public class JobsConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        RunLifecycle lifecycle = Beans.need(context, RunLifecycle.class, getClass());
        Jobs jobs = new Jobs(context, lifecycle, RunSettings.from(context));
        context.getRegistry().bind("harvesterJobs", jobs);
        Beans.need(context, RunHeartbeat.class, getClass()).setThresholds(jobs::stuckThresholds);
        context.getCamelContextExtension().addInterceptStrategy(new JobStepInterceptor());
    }
}
