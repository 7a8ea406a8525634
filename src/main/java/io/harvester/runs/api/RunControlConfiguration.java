package io.harvester.runs.api;

import io.harvester.runs.RunLifecycle;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/** Binds the beans of starting and cancelling runs over the API (routes/harvester-run-control.camel.yaml). Runs after RunsConfiguration. */
public class RunControlConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        RunLifecycle lifecycle = context.getRegistry().lookupByNameAndType("runLifecycle", RunLifecycle.class);
        context.getRegistry().bind("runStartApi", new RunStartApi(lifecycle.store()));
        context.getRegistry().bind("runCancelApi", new RunCancelApi(lifecycle));
    }
}
