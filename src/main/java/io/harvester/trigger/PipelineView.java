package io.harvester.trigger;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.infra.Beans;
import io.harvester.infra.ExactJson;
import io.harvester.pipeline.PipelineKinds;
import io.harvester.pipeline.PipelineRefused;
import io.harvester.pipeline.Watermark;
import io.harvester.runs.RunDetails;
import io.harvester.runs.RunLifecycle;
import io.harvester.runs.RunRefused;
import io.harvester.runs.RunRepository;
import io.harvester.runs.TriggerKind;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedOperation;
import org.apache.camel.api.management.ManagedResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pipeline as JMX shows it, under a name that does not change between starts or route edits:
 * {@code io.harvester:type=<kind>,name="<name>"} for pipeline {@code <kind>:<name>} (export, crawl, job,
 * dispatch, system). What every pipeline offers an operator in JConsole or Hawtio: its state, its last
 * run, its next tick, and starting or cancelling a run. Crawls and jobs extend it with their own parts.
 * <p>
 * The route is looked up at each call, not kept: a live route edit replaces it under the same pipeline.
 */
@ManagedResource(description = "A Harvester pipeline")
public class PipelineView {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineView.class);
    // decimals as written (a watermark 1700000000123.4567 is not a double's 1700000000123.4568)
    private static final ObjectMapper JSON = ExactJson.PARAMETERS;

    protected final CamelContext context;
    private final String pipeline;

    public PipelineView(CamelContext context, String pipeline) {
        this.context = context;
        this.pipeline = pipeline;
    }

    /** The stable JMX name of a pipeline's view. */
    public static ObjectName name(String pipeline) {
        int colon = pipeline.indexOf(':');
        try {
            return new ObjectName("io.harvester:type=" + pipeline.substring(0, colon) + ",name="
                    + ObjectName.quote(pipeline.substring(colon + 1)));
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("pipeline " + pipeline + " has no valid JMX name: " + e.getMessage(), e);
        }
    }

    @ManagedAttribute(description = "The pipeline, <kind>:<name>")
    public String getPipeline() {
        return pipeline;
    }

    @ManagedAttribute(description = "Id of the pipeline's route (org.apache.camel:type=routes starts and stops it)")
    public String getRouteId() {
        return route().map(Route::getRouteId).orElse(null);
    }

    @ManagedAttribute(description = "running (a run is live, on any instance), idle, or the route's status when it is"
            + " not started (Stopped, Suspended, ...)")
    public String getState() {
        ServiceStatus status = routeStatus();
        if (status != ServiceStatus.Started) {
            return status == null ? "Removed" : status.name();
        }
        return getLiveRunId() >= 0 ? "running" : "idle";
    }

    @ManagedAttribute(description = "Id of the live run, on any instance; -1 when none")
    public long getLiveRunId() {
        return lifecycle().store().liveRun(pipeline).orElse(-1L);
    }

    @ManagedAttribute(description = "Instance working on the live run (runs.owner; it changes when a live instance takes"
            + " the run over from a dead one); empty when none")
    public String getLiveRunOwner() {
        return liveRun().map(RunDetails::owner).orElse("");
    }

    @ManagedAttribute(description = "How many times the live run was taken over from a dead instance; -1 when none is live")
    public int getLiveRunTakeovers() {
        return liveRun().map(RunDetails::takeovers).orElse(-1);
    }

    private Optional<RunDetails> liveRun() {
        long live = getLiveRunId();
        return live < 0 ? Optional.empty() : lifecycle().store().details(live);
    }

    @ManagedAttribute(description = "The Quartz cron the pipeline runs on; empty when it runs on demand only")
    public String getCron() {
        return trigger().map(TriggerEndpoint::getCron).map(String::trim).orElse("");
    }

    @ManagedAttribute(description = "What the schedule does about ticks missed while no instance could fire them:"
            + " fire-once-now or do-nothing (harvester.schedule.<kind>.<name>.misfire)")
    public String getMisfire() {
        return trigger().map(t -> t.getMisfire().value()).orElse("");
    }

    @ManagedAttribute(description = "When the cron fires next (ISO-8601 UTC, on whichever instance); empty when none")
    public String getNextFireTime() {
        return trigger().map(TriggerEndpoint::nextFireTime).map(Instant::toString).orElse("");
    }

    @ManagedAttribute(description = "Id of the newest run that ended (triggers skipped aside); -1 when none")
    public long getLastRunId() {
        return lastRun().map(RunRepository.EndedRun::id).orElse(-1L);
    }

    @ManagedAttribute(description = "Status of the newest run that ended (completed, partial, failed, cancelled, ...)")
    public String getLastRunStatus() {
        return lastRun().map(r -> r.status().word()).orElse("");
    }

    @ManagedAttribute(description = "When the newest run that ended ended (ISO-8601 UTC)")
    public String getLastRunFinishedAt() {
        return lastRun().map(r -> r.finishedAt() == null ? "" : r.finishedAt().toString()).orElse("");
    }

    @ManagedAttribute(description = "Why the newest run that ended did not complete; empty when it did")
    public String getLastRunError() {
        return lastRun().map(r -> r.error() == null ? "" : r.error()).orElse("");
    }

    @ManagedOperation(description = "Starts a run now and returns its id; the run goes on in the background (table runs,"
            + " GET /api/runs/<id>). Refused, recording nothing, when the pipeline is stopped or suspended or a run of it is live"
            + " (a job's stuck run is cancelled instead, and the new run's id returned)")
    public long runNow() {
        return start(Map.of(TriggerKind.HEADER, TriggerKind.MANUAL.value()));
    }

    @ManagedOperation(description = "Starts a run with parameters, a JSON object such as {\"from\": \"2026-03-01T00:00:00Z\","
            + " \"to\": \"2026-04-01T00:00:00Z\"} (an incremental export's backfill, which moves no watermark) or the settings"
            + " its export names overridable; returns the run's id. Refused, naming it, for a parameter the pipeline does not take")
    public long runWithParams(String params) {
        Map<String, JsonNode> given = new LinkedHashMap<>();
        try {
            JsonNode root = JSON.readTree(params == null || params.isBlank() ? "{}" : params);
            if (!root.isObject()) {
                throw new IllegalArgumentException("params must be a JSON object, such as {\"from\": \"2026-03-01\"}");
            }
            root.fields().forEachRemaining(e -> given.put(e.getKey(), e.getValue()));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("params are not valid JSON: " + e.getOriginalMessage());
        }
        Map<String, Object> headers = new LinkedHashMap<>(kindHeaders(given));
        headers.put(TriggerKind.HEADER, TriggerKind.MANUAL.value());
        return start(headers);
    }

    private Map<String, Object> kindHeaders(Map<String, JsonNode> given) {
        try {
            return PipelineKinds.of(context, pipeline).startHeaders(pipeline, given);
        } catch (PipelineRefused refused) {
            throw new IllegalArgumentException(refused.getMessage());
        }
    }

    @ManagedAttribute(description = "An incremental export's watermark: the highest incrementalField value its last completed"
            + " run wrote, from which the next run reads (less the lookback); empty while none is kept, null for a pipeline that"
            + " reads everything each run")
    public String getWatermark() {
        try {
            return PipelineKinds.of(context, pipeline).watermark(pipeline).map(w -> w.value() == null ? "" : w.value()).orElse(null);
        } catch (RuntimeException e) {
            // a remote JMX client has the JDK's exception classes, not Harvester's nor a driver's
            throw new IllegalStateException("the watermark of " + pipeline + " cannot be read: " + e.getMessage());
        }
    }

    @ManagedOperation(description = "Sets an incremental export's watermark to a value of its incrementalField's form; an empty"
            + " value forgets it (the next run starts from incrementalStart). Returns the watermark now kept")
    public String resetWatermark(String value) {
        try {
            Watermark now = PipelineKinds.of(context, pipeline).resetWatermark(pipeline, value == null || value.isBlank() ? null
                    : value.trim(), "jmx");
            return now.value() == null ? "" : now.value();
        } catch (PipelineRefused refused) {
            throw new IllegalArgumentException(refused.getMessage());
        } catch (RuntimeException e) {
            throw new IllegalStateException("the watermark of " + pipeline + " was not set: " + e.getMessage());
        }
    }

    @ManagedOperation(description = "Cancels the pipeline's live run (on another instance: at its next heartbeat)")
    public String cancel() {
        long live = getLiveRunId();
        if (live < 0) {
            return "no live run of " + pipeline + " to cancel";
        }
        return switch (lifecycle().cancel(live, "cancelled over JMX")) {
            case ENDED_HERE -> "run " + live + " of " + pipeline + " cancelled";
            case REQUESTED -> "run " + live + " of " + pipeline + " runs on another instance, which is asked to cancel it";
            case NOT_LIVE -> "run " + live + " of " + pipeline + " had ended";
        };
    }

    /**
     * Starts the pipeline with these headers and returns its run's id ({@link RunStarter}). A route stopped
     * over JMX starts nothing: its trigger would only fail later, out of the operator's sight.
     */
    protected long start(Map<String, Object> headers) {
        try {
            return new RunStarter(context, lifecycle().store()).start(pipeline, headers);
        } catch (RunRefused refused) {
            // a remote JMX client (JConsole) has the JDK's exception classes, not Harvester's nor a driver's
            throw new IllegalStateException(refused.getMessage());
        } catch (Exception e) {
            LOG.warn("Pipeline {}: a start over JMX failed", pipeline, e);
            throw new IllegalStateException("pipeline " + pipeline + " did not start: " + e.getMessage());
        }
    }

    private ServiceStatus routeStatus() {
        return route().map(r -> context.getRouteController().getRouteStatus(r.getRouteId())).orElse(null);
    }

    private Optional<Route> route() {
        return TriggerComponent.route(context, pipeline);
    }

    private Optional<TriggerEndpoint> trigger() {
        return route().map(r -> (TriggerEndpoint) r.getEndpoint());
    }

    private Optional<RunRepository.EndedRun> lastRun() {
        return lifecycle().store().lastEnded(pipeline);
    }

    private RunLifecycle lifecycle() {
        return Beans.need(context, RunLifecycle.class, getClass());
    }
}
