package io.harvester.jobs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import io.harvester.infra.NearestName;
import io.harvester.pipeline.PipelineBean;
import io.harvester.runs.LiveRun;
import io.harvester.runs.RunHandle;
import io.harvester.runs.RunLifecycle;
import io.harvester.runs.RunRepository;
import io.harvester.runs.RunRepository.EndedRun;
import io.harvester.runs.RunStart;
import io.harvester.runs.RunStatus;
import io.harvester.runs.RunTemplate;
import io.harvester.runs.StepRow;
import io.harvester.runs.StepRows;
import io.harvester.runs.TriggerKind;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs a job route for each trigger of {@code trigger:job:<name>}: applies the failure policy, begins the
 * run with one row per step (planned from the failed run it resumes, if any), runs the route's steps
 * under {@link JobStepInterceptor}, and completes the run when they are through. The route's own
 * processing is untouched: job authors write plain Camel.
 */
public final class JobExecution extends ServiceSupport implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(JobExecution.class);
    /** Header on {@code trigger:job:<name>}: run only this step, as a run of its own. */
    public static final String STEP_HEADER = "HarvesterStep";

    private final String job;
    private final Processor route;
    private final Jobs jobs;
    private List<String> steps = List.of();

    JobExecution(String job, Processor route, Jobs jobs) {
        this.job = job;
        this.route = route;
        this.jobs = jobs;
    }

    public String pipeline() {
        return "job:" + job;
    }

    String job() {
        return job;
    }

    List<String> steps() {
        return steps;
    }

    JobSettings settings() {
        return jobs.settings(job);
    }

    @Override
    protected void doStart() throws Exception {
        steps = JobSteps.of(job, routeDefinition());
        jobs.register(this);
        ServiceHelper.startService(route);
        LOG.info("Job {}: steps {}", job, steps);
    }

    /** A stopped route keeps its job's view (State Stopped); the view goes with the route's removal. */
    @Override
    protected void doStop() throws Exception {
        ServiceHelper.stopService(route);
    }

    @Override
    protected void doShutdown() throws Exception {
        jobs.unregister(this);
        ServiceHelper.stopAndShutdownService(route);
    }

    private RouteDefinition routeDefinition() {
        ModelCamelContext model = (ModelCamelContext) jobs.context();
        String uri = "trigger:" + pipeline();
        return model.getRouteDefinitions().stream()
                .filter(r -> r.getInput() != null && r.getInput().getEndpointUri() != null)
                .filter(r -> r.getInput().getEndpointUri().equals(uri) || r.getInput().getEndpointUri().startsWith(uri + "?"))
                .findFirst().orElseThrow(() -> new IllegalStateException("job " + job + ": no route starts from " + uri));
    }

    /** Refuses a step name the job does not have, naming the closest one and the job's steps. */
    void requireStep(String step) {
        if (!steps.contains(step)) {
            throw new IllegalArgumentException("job " + job + " has no step '" + step + "'"
                    + NearestName.suggestion(step, new TreeSet<>(steps)) + " (steps: " + steps + ")");
        }
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        TriggerKind trigger = TriggerKind.parse(exchange.getMessage().getHeader(TriggerKind.HEADER));
        String single = exchange.getMessage().getHeader(STEP_HEADER, String.class);
        if (single != null) {
            requireStep(single);
        }
        Long takenOver = exchange.getMessage().getHeader(RunTemplate.TAKE_OVER, Long.class);
        Optional<JobRun> begun;
        // one decision at a time per job in this process; across instances Quartz fires a tick once
        synchronized (this) {
            begun = takenOver != null ? continueTakenOver(takenOver) : begin(trigger, single);
        }
        if (begun.isEmpty()) {
            exchange.setProperty(PipelineBean.SKIPPED, true);
            return;
        }
        JobRun run = begun.get();
        RunStart.begun(exchange, run.id());
        RunTemplate.withRunId(run.id(), () -> execute(exchange, run, trigger, single));
    }

    private void execute(Exchange exchange, JobRun run, TriggerKind trigger, String single) {
        exchange.setProperty(RunHandle.PROPERTY, run);
        LOG.info("Job {}: run {} started ({} trigger){}", job, run.id(), trigger.value(),
                single == null ? "" : ", step " + single + " only");
        try {
            route.process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        // the route's unit of work restores the thread's MDC as it found it; the end is still this run's
        MDC.put(RunHandle.MDC_KEY, String.valueOf(run.id()));
        if (exchange.getException() != null) {
            run.fail(exchange.getException(), exchange);
        }
        if (run.complete()) {
            LOG.info("Job {}: run {} completed", job, run.id());
        } else {
            // the run's end and its error are the ERROR line the lifecycle writes with it
            LOG.info("Job {}: run {} ended without completing", job, run.id());
        }
    }

    /**
     * Continues a run taken over from a dead instance as the same run: the steps it completed stay done, the
     * one that was running and those after it run here (steps are safe to repeat, docs/step-jobs.md). The
     * failure policy is not asked again: it is the run it decided on.
     */
    private Optional<JobRun> continueTakenOver(long runId) {
        RunRepository store = jobs.store();
        Optional<LiveRun> adopted = jobs.lifecycle().adopt(runId, pipeline(), null);
        if (adopted.isEmpty()) {
            LOG.info("Job {}: run {} is no longer live here: not continued", job, runId);
            return Optional.empty();
        }
        LiveRun live = adopted.get();
        try {
            String single = store.details(runId).map(d -> d.params().path("step").asText(null)).orElse(null);
            if (single != null) {
                requireStep(single);
            }
            JobRun run = JobRun.plan(live, job, steps, single, store.steps().of(runId), store.steps());
            List<StepRows.Planned> toRun = run.planned().stream().filter(p -> p.status() == RunStatus.PENDING).toList();
            store.steps().replan(runId, toRun);
            LOG.info("Job {}: run {} continues here after a takeover: {} step(s) to run", job, runId, toRun.size());
            return Optional.of(run);
        } catch (RuntimeException e) {
            live.end(RunStatus.FAILED, "job " + job + " could not continue after a takeover: " + JobRun.describe(e), null);
            throw e;
        }
    }

    private Optional<JobRun> begin(TriggerKind trigger, String single) {
        JobSettings settings = settings();
        RunRepository store = jobs.store();
        JobPolicy.Decision decision = single != null ? JobPolicy.Decision.start() : decide(settings, trigger);
        Map<String, Object> params = params(settings, single);
        switch (decision.action()) {
            case SKIP -> {
                long id = jobs.lifecycle().skip(pipeline(), trigger.value(), params, decision.blocker(),
                        decision.reason());
                LOG.warn("Job {}: {} trigger recorded as run {}, {}", job, trigger.value(), id, decision.reason());
                return Optional.empty();
            }
            case CANCEL_AND_START -> {
                if (!jobs.abandon(decision.blocker(), decision.reason())) {
                    if (trigger == TriggerKind.API) {
                        // a refused API start records nothing: its caller is answered 409
                        LOG.warn("Job {}: api start refused: run {} is still stopping", job, decision.blocker());
                        return Optional.empty();
                    }
                    // never two runs of a job at work: this trigger waits, the next one looks again
                    long id = jobs.lifecycle().skip(pipeline(), trigger.value(), params, decision.blocker(),
                            "skipped: previous run " + decision.blocker() + " is still stopping");
                    LOG.warn("Job {}: {} trigger recorded as run {}: run {} is still stopping", job, trigger.value(), id,
                            decision.blocker());
                    return Optional.empty();
                }
            }
            default -> {
            }
        }
        RunLifecycle lifecycle = jobs.lifecycle();
        Optional<LiveRun> begun = lifecycle.begin(pipeline(), trigger.value(), params, null);
        if (begun.isEmpty()) {
            LOG.warn("Job {}: {} trigger skipped, a run is still in progress", job, trigger.value());
            return Optional.empty();
        }
        LiveRun live = begun.get();
        try {
            List<StepRow> earlier = List.of();
            Optional<EndedRun> previous = single == null && settings.restartFrom() == JobSettings.RestartFrom.FAILED_STEP
                    ? store.lastEndedWholeRun(pipeline()).filter(r -> JobPolicy.resumable(r.status())) : Optional.empty();
            if (previous.isPresent()) {
                earlier = store.steps().of(previous.get().id());
                lifecycle.store().resumedFrom(live.id(), previous.get().id());
            }
            JobRun run = JobRun.plan(live, job, steps, single, earlier, store.steps());
            store.steps().plan(live.id(), run.planned());
            previous.ifPresent(p -> LOG.info("Job {}: run {} resumes run {} ({}): {} step(s) already completed", job,
                    live.id(), p.id(), p.status(), run.planned().stream().filter(s -> s.completedIn() != null).count()));
            return Optional.of(run);
        } catch (RuntimeException e) {
            live.end(RunStatus.FAILED, "job " + job + " could not start: " + JobRun.describe(e), null);
            throw e;
        }
    }

    /** What the failure policy does with a whole-job start of this trigger now (a manual or API start skips no wait). */
    JobPolicy.Decision decide(JobSettings settings, TriggerKind trigger) {
        RunRepository store = jobs.store();
        boolean manual = trigger == TriggerKind.MANUAL || trigger == TriggerKind.API;
        return JobPolicy.decide(store.liveAge(pipeline()), store.lastEndedWholeRun(pipeline()), settings, manual,
                store::skipsAgainst);
    }

    private static Map<String, Object> params(JobSettings settings, String single) {
        Map<String, Object> params = new LinkedHashMap<>(settings.describe());
        if (single != null) {
            params.put("step", single);
        }
        return params;
    }
}
