package io.harvester.runs.api;

import io.harvester.jobs.Jobs;
import io.harvester.runs.RunLifecycle;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/** Binds the beans of starting and cancelling runs over the API (routes/harvester-run-control.camel.yaml). Runs after JobsConfiguration. */
public class RunControlConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        RunLifecycle lifecycle = context.getRegistry().lookupByNameAndType("runLifecycle", RunLifecycle.class);
        Jobs jobs = context.getRegistry().lookupByNameAndType("harvesterJobs", Jobs.class);
        context.getRegistry().bind("runStartApi", new RunStartApi(lifecycle.store(), jobs));
        context.getRegistry().bind("runCancelApi", new RunCancelApi(lifecycle));
    }
}
