package io.harvester.dispatch;

import java.util.Map;

import javax.management.ObjectName;

import io.harvester.infra.HarvesterMBeans;
import io.harvester.trigger.TriggerComponent;
import io.harvester.runs.TriggerKind;
import org.apache.camel.CamelContext;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedOperation;
import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.support.service.ServiceSupport;

/**
 * Task dispatch as JMX shows it ({@code io.harvester:type=dispatch,name="tasks"}): the tasks by status,
 * and the generation and sweep on demand (in the background; each is a run, so one already live makes
 * the request a skipped run).
 */
@ManagedResource(description = "Harvester task dispatch")
public class DispatchView extends ServiceSupport {

    private final CamelContext context;
    private final DispatchStore store;
    private ObjectName name;

    DispatchView(CamelContext context, DispatchStore store) {
        this.context = context;
        this.store = store;
    }

    @Override
    protected void doStart() throws Exception {
        name = new ObjectName("io.harvester:type=dispatch,name=" + ObjectName.quote("tasks"));
        HarvesterMBeans.register(context, this, name);
    }

    @Override
    protected void doStop() throws Exception {
        HarvesterMBeans.unregister(name);
    }

    @ManagedAttribute(description = "Tasks Pending")
    public long getPendingTasks() {
        return store.count("Pending");
    }

    @ManagedAttribute(description = "Tasks In Progress")
    public long getInProgressTasks() {
        return store.count("In Progress");
    }

    @ManagedOperation(description = "Generates today's task sets now, in the background (run dispatch:generate)")
    public String generateNow() {
        return start(TaskGeneration.PIPELINE);
    }

    @ManagedOperation(description = "Sweeps the tasks now, in the background (run dispatch:sweep when it changes something)")
    public String sweepNow() {
        return start(TaskSweep.PIPELINE);
    }

    private String start(String pipeline) {
        TriggerComponent.of(context).startInBackground(pipeline, Map.of(TriggerKind.HEADER, TriggerKind.MANUAL.value()));
        return "started " + pipeline + " in the background; table runs shows its run";
    }
}
