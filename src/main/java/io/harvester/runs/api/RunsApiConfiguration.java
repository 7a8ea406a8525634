package io.harvester.runs.api;

import io.harvester.infra.Beans;
import io.harvester.runs.RunRepository;
import io.harvester.runs.RunRetention;
import io.harvester.runs.RunSettings;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/** Binds the beans of the runs API's read side: {@code runsApi}, {@code runFiles}, {@code pipelinesApi}, {@code instancesApi}. */
public class RunsApiConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        RunRepository runs = Beans.need(context, RunRepository.class, getClass());
        RunRetention retention = Beans.need(context, RunRetention.class, getClass());
        context.getRegistry().bind("runsApi", new RunsApi(runs, retention));
        context.getRegistry().bind("runFiles", new RunFiles(runs));
        context.getRegistry().bind("pipelinesApi", new PipelinesApi(runs));
        context.getRegistry().bind("instancesApi", new InstancesApi(runs, RunSettings.from(context).clusterLeaseMs()));
    }
}
