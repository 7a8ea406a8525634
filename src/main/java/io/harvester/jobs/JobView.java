package io.harvester.jobs;

import java.util.HashMap;
import java.util.Map;

import io.harvester.trigger.TriggerComponent;
import io.harvester.trigger.TriggerKind;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedOperation;
import org.apache.camel.api.management.ManagedResource;

/**
 * A job as JMX shows it ({@code io.harvester:type=job,name="<job>"}): its steps and live run, and the
 * operations an operator needs from JConsole or Jolokia. A manual start does not wait out the failure
 * policy's skipped triggers.
 */
@ManagedResource(description = "A Harvester step job")
public class JobView {

    private final JobExecution execution;
    private final Jobs jobs;

    JobView(JobExecution execution, Jobs jobs) {
        this.execution = execution;
        this.jobs = jobs;
    }

    @ManagedAttribute(description = "The pipeline, job:<name>")
    public String getPipeline() {
        return execution.pipeline();
    }

    @ManagedAttribute(description = "The job's steps in order")
    public String[] getSteps() {
        return execution.steps().toArray(String[]::new);
    }

    @ManagedAttribute(description = "The job's cron")
    public String getCron() {
        return TriggerComponent.of(jobs.context()).cron(execution.pipeline());
    }

    @ManagedAttribute(description = "Id of the job's live run, on any instance; -1 when none")
    public long getLiveRunId() {
        return jobs.store().live(execution.pipeline()).map(JobPolicy.Live::id).orElse(-1L);
    }

    @ManagedOperation(description = "Starts a run of every step now, in the background (a failed run is resumed)")
    public String runNow() {
        return start(null);
    }

    @ManagedOperation(description = "Runs one step now, in the background, as a run of its own")
    public String runStep(String step) {
        execution.requireStep(step);
        return start(step);
    }

    @ManagedOperation(description = "Cancels the job's live run (its running SQL statement too)")
    public String cancel() {
        return jobs.cancel(execution.pipeline(), "cancelled over JMX")
                ? "cancelling the live run of " + execution.pipeline()
                : "no live run of " + execution.pipeline() + " to cancel";
    }

    private String start(String step) {
        Map<String, Object> headers = new HashMap<>(Map.of(TriggerKind.HEADER, TriggerKind.MANUAL.value()));
        if (step != null) {
            headers.put(JobExecution.STEP_HEADER, step);
        }
        TriggerComponent.of(jobs.context()).startInBackground(execution.pipeline(), headers);
        return "started " + execution.pipeline() + (step == null ? "" : " step " + step) + " in the background; table runs"
                + " shows its run, or a skipped row when a run is live";
    }
}
