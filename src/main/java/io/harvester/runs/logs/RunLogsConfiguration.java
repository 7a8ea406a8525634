package io.harvester.runs.logs;

import io.harvester.infra.Beans;
import io.harvester.runs.RunLifecycle;
import io.harvester.runs.RunSettings;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/**
 * Starts the per-run log writer ({@link RunLogSink}) on the run lifecycle. Wired here, not by the run
 * model: the run model knows nothing of where its runs' lines go.
 */
public class RunLogsConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        RunLifecycle lifecycle = Beans.need(context, RunLifecycle.class, getClass());
        try {
            // started with the context, before any route: a run's first lines are kept too
            context.addService(new RunLogSink(lifecycle, RunSettings.from(context).logQueueSize()), true, true);
        } catch (Exception e) {
            throw new IllegalStateException("the run log writer did not start: " + e.getMessage(), e);
        }
    }
}
