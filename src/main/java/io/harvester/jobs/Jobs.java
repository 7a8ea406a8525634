package io.harvester.jobs;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import javax.management.ObjectName;

import io.harvester.infra.HarvesterMBeans;
import io.harvester.runs.LiveRun;
import io.harvester.runs.RunLifecycle;
import io.harvester.runs.RunStatus;
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
    private final JobStore store;
    private final Map<String, JobExecution> executions = new ConcurrentHashMap<>();

    public Jobs(CamelContext context, RunLifecycle lifecycle) {
        this.context = context;
        this.lifecycle = lifecycle;
        this.store = new JobStore(lifecycle.store().sql());
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
        long interval = millis("harvester.runs.heartbeat-interval-ms", 30_000);
        if (settings.stuckAfter().toMillis() <= 2 * interval) {
            // a healthy run beats once an interval: a shorter stuck-after would take it for stuck
            throw new IllegalArgumentException("job " + job + ": " + JobSettings.key(job, "stuck-after") + " = "
                    + settings.stuckAfter() + " must be more than twice harvester.runs.heartbeat-interval-ms (" + interval
                    + " ms)");
        }
        return settings;
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
     * Gives up on a live run: ended {@code abandoned} with the reason. Run here, its statement is
     * cancelled and its thread interrupted now; run elsewhere, its owner does that on its next heartbeat.
     */
    void abandon(long run, String reason) {
        Optional<LiveRun> here = lifecycle.liveRun(run);
        // stopping a run here returns once its step has let go
        here.ifPresent(live -> live.abort(RunStatus.ABANDONED, reason));
        boolean elsewhere = store.abandon(run, reason);
        LOG.warn("Run {} {}: {}", run, here.isPresent() ? "stopped here" : elsewhere ? "flagged for its owner" : "had ended",
                reason);
        if (elsewhere && here.isEmpty()) {
            awaitOwner(run);
        }
    }

    /**
     * Waits until the owner of a run flagged for it confirms it stopped (on its next heartbeat) or is found
     * gone, so the next run never executes beside it; after two heartbeats and 10 s it goes on regardless.
     */
    private void awaitOwner(long run) {
        long interval = millis("harvester.runs.heartbeat-interval-ms", 30_000);
        long stale = millis("harvester.runs.stale-after-ms", 300_000);
        long until = System.currentTimeMillis() + 2 * interval + 10_000;
        try {
            while (!store.stopSettled(run, stale)) {
                if (System.currentTimeMillis() > until) {
                    LOG.warn("Run {}: its owner did not confirm the stop within {} s; the next run starts anyway", run,
                            (2 * interval + 10_000) / 1000);
                    return;
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long millis(String property, long fallback) {
        return context.getPropertiesComponent().resolveProperty(property).map(Long::parseLong).orElse(fallback);
    }

    /** Cancels a job's live run on request: {@code cancelled}, naming who asked. False when none is live. */
    boolean cancel(String pipeline, String reason) {
        Optional<JobPolicy.Live> live = store.live(pipeline);
        if (live.isEmpty()) {
            return false;
        }
        Optional<LiveRun> here = lifecycle.liveRun(live.get().id());
        if (here.isPresent()) {
            return here.get().abort(RunStatus.CANCELLED, reason);
        }
        return store.requestCancel(live.get().id(), reason);
    }

    CamelContext context() {
        return context;
    }

    RunLifecycle lifecycle() {
        return lifecycle;
    }

    JobStore store() {
        return store;
    }
}
