package io.harvester.trigger;

import io.harvester.infra.Beans;
import io.harvester.infra.Knobs;
import io.harvester.runs.RunLifecycle;
import io.harvester.runs.RunSettings;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/** Binds {@code runTakeover}: this instance's lease and the takeover of dead instances' runs (route instance-heartbeat). */
public class TakeoverConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        RunLifecycle lifecycle = Beans.need(context, RunLifecycle.class, getClass());
        context.getRegistry().bind("runTakeover", new RunTakeover(context, lifecycle, RunSettings.from(context).clusterLeaseMs(),
                new Knobs(context).value("harvester.cluster.max-takeovers", int.class)));
    }
}
