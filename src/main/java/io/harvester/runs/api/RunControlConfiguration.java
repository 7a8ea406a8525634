package io.harvester.runs.api;

import io.harvester.infra.Beans;
import io.harvester.runs.RunLifecycle;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/** Binds the beans of starting and cancelling runs and pausing pipelines over the API (routes/harvester-run-control.camel.yaml). */
public class RunControlConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        RunLifecycle lifecycle = Beans.need(context, RunLifecycle.class, getClass());
        context.getRegistry().bind("runStartApi", new RunStartApi(lifecycle.store()));
        context.getRegistry().bind("runCancelApi", new RunCancelApi(lifecycle));
        context.getRegistry().bind("pipelineControlApi", new PipelineControlApi());
    }
}
