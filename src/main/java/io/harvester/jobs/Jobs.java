package io.harvester.jobs;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import javax.management.ObjectName;

import io.harvester.infra.HarvesterMBeans;
import io.harvester.runs.LiveRun;
import io.harvester.runs.RunLifecycle;
import io.harvester.runs.RunRepository;
import io.harvester.runs.RunSettings;
import io.harvester.runs.RunStatus;
import io.harvester.runs.TriggerKind;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs of this daemon (bean {@code harvesterJobs}): their settings, their executions and JMX views,
 * and cancelling a job's run wherever it executes.
 */
public class Jobs {

    private static final Logger LOG = LoggerFactory.getLogger(Jobs.class);

    private final CamelContext context;
    private final RunLifecycle lifecycle;
    private final RunSettings runs;
    private final Map<String, JobExecution> executions = new ConcurrentHashMap<>();

    public Jobs(CamelContext context, RunLifecycle lifecycle, RunSettings runs) {
        this.context = context;
        this.lifecycle = lifecycle;
        this.runs = runs;
    }

    /** Wraps a job route's processing (the consumer of {@code trigger:job:<name>}). */
    public Processor execution(String job, Processor route) {
        return new JobExecution(job, route, this);
    }

    public static String cronProperty(String job) {
        return JobSettings.key(job, "cron");
    }

    public JobSettings settings(String job) {
        JobSettings settings = JobSettings.of(job, key -> context.getPropertiesComponent().resolveProperty(key));
        long interval = runs.heartbeatIntervalMs();
        if (settings.stuckAfter().toMillis() <= 2 * interval) {
            // a healthy run beats once an interval: a shorter stuck-after would take it for stuck
            throw new IllegalArgumentException("job " + job + ": " + JobSettings.key(job, "stuck-after") + " = "
                    + settings.stuckAfter() + " must be more than twice harvester.runs.heartbeat-interval-ms (" + interval
                    + " ms)");
        }
        return settings;
    }

    /**
     * A whole-job start replaces a live run the failure policy cancels (a stuck one, for a manual or API
     * start at once); a single step never does, it runs only beside no live run.
     */
    public boolean replacesLiveRun(String pipeline, Map<String, Object> headers) {
        if (headers.get(JobExecution.STEP_HEADER) != null) {
            return false;
        }
        TriggerKind trigger = TriggerKind.parse(headers.get(TriggerKind.HEADER));
        return executions.values().stream().filter(e -> e.pipeline().equals(pipeline)).findFirst()
                .map(e -> e.decide(e.settings(), trigger).action() == JobPolicy.Action.CANCEL_AND_START).orElse(false);
    }

    /** Each job's stuck-after, in milliseconds, for the heartbeat sweep. */
    public Map<String, Long> stuckThresholds() {
        return executions.values().stream()
                .collect(Collectors.toMap(JobExecution::pipeline, e -> e.settings().stuckAfter().toMillis()));
    }

    void register(JobExecution execution) throws Exception {
        executions.put(execution.job(), execution);
        HarvesterMBeans.register(context, new JobView(execution, this), name(execution.job()));
    }

    void unregister(JobExecution execution) throws Exception {
        executions.remove(execution.job(), execution);
        HarvesterMBeans.unregister(name(execution.job()));
    }

    private static ObjectName name(String job) throws Exception {
        return new ObjectName("io.harvester:type=job,name=" + ObjectName.quote(job));
    }

    /**
     * Gives up on a live run: it ends {@code abandoned} with the reason. Run here, its statement is
     * cancelled and its thread interrupted now. Run by another live instance, that owner is asked (the row
     * stays live meanwhile, so nothing else starts) and ends it on its next heartbeat; a gone owner's run
     * is ended here. Returns whether nothing of the run works any more, so the next run may start.
     */
    boolean abandon(long run, String reason) {
        Optional<LiveRun> here = lifecycle.liveRun(run);
        if (here.isPresent()) {
            // returns once its step has let go, or after a bounded wait
            here.get().abort(RunStatus.ABANDONED, reason);
            LOG.warn("Run {} stopped here: {}", run, reason);
            return here.get().isSettled();
        }
        long stale = runs.staleAfterMs();
        if (lifecycle.store().heartbeats().ownerGone(run, stale)) {
            lifecycle.store().endOrphan(run, RunStatus.ABANDONED, reason);
            LOG.warn("Run {} of a gone instance ended here: {}", run, reason);
            return true;
        }
        if (!lifecycle.store().requestCancel(run, reason)) {
            return true;
        }
        LOG.warn("Run {}: its owner is asked to stop it: {}", run, reason);
        long interval = runs.heartbeatIntervalMs();
        long until = System.currentTimeMillis() + 2 * interval + 10_000;
        try {
            while (System.currentTimeMillis() < until) {
                if (lifecycle.store().stopConfirmed(run)) {
                    return true;
                }
                if (lifecycle.store().heartbeats().ownerGone(run, stale)) {
                    lifecycle.store().endOrphan(run, RunStatus.ABANDONED, reason);
                    return true;
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.warn("Run {}: its owner did not confirm the stop within {} s", run, (2 * interval + 10_000) / 1000);
        return false;
    }

    /** The steps of a job of this daemon ({@code job:<name>}), in order; empty when it has none of that name. */
    public Optional<List<String>> steps(String pipeline) {
        return executions.values().stream().filter(e -> e.pipeline().equals(pipeline)).findFirst().map(JobExecution::steps);
    }

    CamelContext context() {
        return context;
    }

    RunLifecycle lifecycle() {
        return lifecycle;
    }

    RunRepository store() {
        return lifecycle.store();
    }
}
