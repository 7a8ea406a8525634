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
        return JobSettings.of(job, key -> context.getPropertiesComponent().resolveProperty(key));
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
        here.ifPresent(live -> live.abort(RunStatus.ABANDONED, reason));
        boolean elsewhere = store.abandon(run, reason);
        LOG.warn("Run {} {}: {}", run, here.isPresent() ? "stopped here" : elsewhere ? "flagged for its owner" : "had ended",
                reason);
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
