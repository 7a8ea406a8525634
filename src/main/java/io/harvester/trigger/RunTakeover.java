package io.harvester.trigger;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import io.harvester.infra.OutageLog;
import io.harvester.pipeline.PipelineKind;
import io.harvester.pipeline.PipelineKinds;
import io.harvester.runs.Heartbeats.TakenOver;
import io.harvester.runs.RunLifecycle;
import io.harvester.runs.RunRepository;
import io.harvester.runs.RunStatus;
import io.harvester.runs.RunTemplate;
import io.harvester.runs.TriggerKind;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ServiceStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance's lease and the runs of dead ones (route {@code instance-heartbeat}, every
 * {@code harvester.cluster.heartbeat}): it beats table instances, then claims the live runs of instances
 * silent for {@code harvester.cluster.lease}, of the pipelines it runs whose kind takes runs over, and
 * continues each as the same run on its own pipeline route (trigger header {@link RunTemplate#TAKE_OVER}).
 * A run taken over more than {@code harvester.cluster.max-takeovers} times ends failed instead: a run that
 * kills every instance it lands on must not take the cluster down one instance at a time.
 */
public final class RunTakeover {

    private static final Logger LOG = LoggerFactory.getLogger(RunTakeover.class);
    /** As the takeover's run_logs row and the sweep's "abandoned" error write it. */
    private static final DateTimeFormatter SINCE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private final CamelContext context;
    private final RunRepository runs;
    private final RunLifecycle lifecycle;
    /** No claim before this time (ms): set when the database comes back after an outage. */
    private volatile long claimFrom;
    private final long leaseMillis;
    private final int maxTakeovers;
    private final OutageLog beats = new OutageLog("Instance heartbeat");
    private final OutageLog claims = new OutageLog("Takeover of dead instances' runs");
    private final OutageLog helps = new OutageLog("Help with runs spread over the instances");
    /** The runs of other instances this one helps with now: their routes' ends. */
    private final Map<Long, CompletableFuture<Exchange>> helping = new ConcurrentHashMap<>();

    public RunTakeover(CamelContext context, RunLifecycle lifecycle, long leaseMillis, int maxTakeovers) {
        this.context = context;
        this.lifecycle = lifecycle;
        this.runs = lifecycle.store();
        this.leaseMillis = leaseMillis;
        this.maxTakeovers = maxTakeovers;
    }

    public void tick() {
        beats.run(() -> {
            runs.heartbeats().beatInstance();
            // back from a pause past the lease: a run taken over meanwhile stops here before it writes again
            runs.heartbeats().lostAmong(lifecycle.liveIds()).forEach(lost -> runs.fence().lost(lost.id(), lost.why()));
        });
        if (beats.failing()) {
            // once the database is back every other instance looks silent: claim only after they had a lease to beat
            claimFrom = System.currentTimeMillis() + leaseMillis;
            return;
        }
        if (context.getStatus() != ServiceStatus.Started || System.currentTimeMillis() < claimFrom) {
            return;
        }
        Set<String> pipelines = takingOver();
        claims.run(() -> runs.heartbeats().claimRunsOfDeadInstances(leaseMillis, pipelines).forEach(this::continueSafely));
        helps.run(() -> runs.spreadRunsOfOthers(leaseMillis, pipelines).forEach(this::help));
    }

    /**
     * Joins a live run another instance spreads over the cluster (a crawl with {@code spread: true}): its pipeline
     * route makes lookups of it here until none is left. Once per run at a time.
     */
    private void help(RunRepository.Helpable run) {
        if (lifecycle.liveRun(run.id()).isPresent() || helping.containsKey(run.id())) {
            return;
        }
        LOG.info("Run {} of {}: spread over the instances, this one helps", run.id(), run.pipeline());
        CompletableFuture<Exchange> ended = new CompletableFuture<>();
        helping.put(run.id(), ended);
        TriggerComponent.of(context).startInBackground(run.pipeline(), Map.of(TriggerKind.HEADER, run.trigger(),
                RunTemplate.HELP, run.id()), Map.of()).whenComplete((exchange, failure) -> {
                    helping.remove(run.id());
                    ended.complete(exchange);
                });
    }

    /** The pipelines of this instance whose kind takes runs over and whose route takes a run now (started, not held). */
    private Set<String> takingOver() {
        TriggerComponent trigger = TriggerComponent.of(context);
        Map<String, PipelineKind> kinds = PipelineKinds.all(context);
        // a declared pipeline's kind exists: its route's consumer was refused otherwise
        return TriggerComponent.declared(context).stream()
                .filter(pipeline -> PipelineKinds.of(kinds, pipeline).takesOver() && !trigger.isHeld(pipeline)
                        && TriggerComponent.route(context, pipeline).map(route -> context.getRouteController()
                                .getRouteStatus(route.getRouteId()) == ServiceStatus.Started).orElse(false))
                .collect(Collectors.toSet());
    }

    private void continueSafely(TakenOver run) {
        safely(run, () -> continueRun(run));
    }

    /** A step of continuing a claimed run; a failure gives the run up (ends it abandoned) rather than leaving it claimed. */
    private void safely(TakenOver run, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.warn("Run {} of {}: taken over, but not continued here: {}", run.id(), run.pipeline(), e.getMessage(), e);
            giveUp(run, "its start here failed: " + e.getMessage());
        }
    }

    /**
     * A claimed run no thread took up (its start was refused, or its pipeline had nothing to do) ends abandoned, as
     * the sweep would have ended it: its pipeline's next run continues it (a crawl from its checkpoint).
     */
    private void giveUp(TakenOver run, String why) {
        if (lifecycle.liveRun(run.id()).isEmpty() && runs.ownsLive(run.id())) {
            runs.endOrphan(run.id(), RunStatus.ABANDONED, "abandoned: taken over from instance " + run.from()
                    + " by instance " + runs.owner() + ", but not continued: " + why);
        }
    }

    private void continueRun(TakenOver run) {
        String from = "instance " + run.from() + " silent since " + SINCE.format(run.silentSince());
        if (run.takeovers() > maxTakeovers) {
            String error = "taken over more than harvester.cluster.max-takeovers = " + maxTakeovers + " times (" + run.takeovers()
                    + "); the last time from " + from;
            runs.endOrphan(run.id(), RunStatus.FAILED, error);
            LOG.error("Run {} of {}: {}", run.id(), run.pipeline(), error);
            return;
        }
        LOG.warn("Run {} of {} taken over ({} of at most {}): {}", run.id(), run.pipeline(), run.takeovers(), maxTakeovers, from);
        CompletableFuture<Exchange> helped = helping.get(run.id());
        if (helped != null) {
            // this instance was helping with the run: that copy ends (its claims go back) before the run goes on here
            lifecycle.stopHelping(run.id());
            helped.whenComplete((exchange, failure) -> safely(run, () -> start(run)));
            return;
        }
        start(run);
    }

    private void start(TakenOver run) {
        TriggerComponent.of(context).startInBackground(run.pipeline(), Map.of(TriggerKind.HEADER, run.trigger(),
                RunTemplate.TAKE_OVER, run.id()), Map.of()).whenComplete((exchange, failure) -> {
                    Throwable cause = failure != null ? failure : exchange == null ? null : exchange.getException();
                    giveUp(run, cause == null ? "its pipeline began no run" : String.valueOf(cause.getMessage()));
                });
    }
}
