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
        RunSettings settings = RunSettings.from(context);
        int maxTakeovers = new Knobs(context).value("harvester.cluster.max-takeovers", int.class);
        check(settings.clusterHeartbeatMs(), settings.clusterLeaseMs(), maxTakeovers);
        context.getRegistry().bind("runTakeover", new RunTakeover(context, lifecycle, settings.clusterLeaseMs(), maxTakeovers));
    }

    /**
     * A lease of fewer than three beats would take live instances for dead on any late beat, and they would
     * take each other's runs in turn; a negative max-takeovers means nothing.
     */
    static void check(long heartbeatMs, long leaseMs, int maxTakeovers) {
        if (heartbeatMs <= 0 || leaseMs < 3 * heartbeatMs) {
            throw new IllegalArgumentException("harvester.cluster.lease = " + leaseMs + " ms must be at least three"
                    + " harvester.cluster.heartbeat (" + heartbeatMs + " ms): a late beat would make a live instance look dead");
        }
        if (maxTakeovers < 0) {
            throw new IllegalArgumentException("harvester.cluster.max-takeovers = " + maxTakeovers + " must be 0 or more");
        }
    }
}
