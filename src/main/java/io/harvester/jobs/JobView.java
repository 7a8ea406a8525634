package io.harvester.jobs;

import java.util.Map;

import io.harvester.trigger.PipelineView;
import io.harvester.runs.TriggerKind;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedOperation;
import org.apache.camel.api.management.ManagedResource;

/**
 * A job as JMX shows it ({@code io.harvester:type=job,name="<job>"}): what every pipeline shows, its
 * steps, and running one step. A manual start does not wait out the failure policy's skipped triggers.
 */
@ManagedResource(description = "A Harvester step job")
public class JobView extends PipelineView {

    private final JobExecution execution;

    JobView(JobExecution execution, Jobs jobs) {
        super(jobs.context(), execution.pipeline());
        this.execution = execution;
    }

    @ManagedAttribute(description = "The job's steps in order")
    public String[] getSteps() {
        return execution.steps().toArray(String[]::new);
    }

    @ManagedOperation(description = "Runs one step now, as a run of its own, and returns the run's id; the run goes on in"
            + " the background")
    public long runStep(String step) {
        execution.requireStep(step);
        return start(Map.of(TriggerKind.HEADER, TriggerKind.MANUAL.value(), JobExecution.STEP_HEADER, step));
    }
}
