package io.harvester.trigger;

import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import io.harvester.runs.TriggerKind;
import io.harvester.infra.Beans;
import io.harvester.infra.HarvesterMBeans;
import io.harvester.pipeline.PipelineKind;
import io.harvester.runs.RunHandle;
import io.harvester.runs.RunLifecycle;
import io.harvester.runs.RunRefused;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ShutdownRunningTask;
import org.apache.camel.Suspendable;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.ShutdownAware;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Feeds a pipeline route from its three sources. The cron schedule is a real Quartz consumer in the
 * clustered store (so misfire handling and one fire per tick across instances come from Quartz);
 * start-up and on-demand runs enter here.
 * <p>
 * On shutdown the schedule stops first and no new run starts, while the runs in flight get Camel's
 * shutdown timeout to finish: the consumer defers its own stop, because stopping a consumer stops its
 * route's processors (the circuit breaker among them) under the runs still using them. Runs still live
 * when the timeout forces the stop end {@code interrupted}.
 */
class TriggerConsumer extends DefaultConsumer implements ShutdownAware, Suspendable {

    private static final Logger LOG = LoggerFactory.getLogger(TriggerConsumer.class);
    /** The shared error handling every pipeline route must use (routes/harvester-pipeline.camel.yaml). */
    static final String PIPELINE_CONFIGURATION = "harvester-pipeline";
    /** How long a tick coming during a live route edit waits for it (a swap takes tens of milliseconds). */
    static final long HOLD_WAIT_MS = 10_000;

    private ExecutorService startupRunner;
    private RunLifecycle lifecycle;
    /** Set once this route's stop has begun: no new run, even while the context itself keeps running. */
    private volatile boolean draining;
    /**
     * Holds on this route while a live route edit swaps it: new runs are refused while any is open (see
     * {@link TriggerComponent#hold}). Counted, as holds may overlap: closing one leaves the others on.
     */
    private final AtomicInteger holds = new AtomicInteger();
    /**
     * Paused over the API (POST /api/pipelines/{name}/pause): its schedule stopped here and no new run taken, a
     * run in flight left to finish. Camel's suspend is not used for this: it stops a run still going after
     * camel.main.shutdown-timeout. Kept until resumed, or until the route is started anew.
     */
    private volatile boolean paused;
    /**
     * Runs entered through this consumer and not yet out. Counted before {@link #holds} is read, so a hold
     * that reads zero after setting it cannot miss a run that got past it.
     */
    private final AtomicInteger entered = new AtomicInteger();

    /** What the endpoint handed over to run (the kind's runner, for a job its execution), before Camel wraps it. */
    private final Processor pipelineProcessor;
    /** Whether the runner is the kind's own, wrapping the route: then it is shut down with the route. */
    private final boolean kindsRunner;
    private final PipelineKind kind;

    TriggerConsumer(TriggerEndpoint endpoint, Processor processor, boolean kindsRunner, PipelineKind kind) {
        super(endpoint, processor);
        this.pipelineProcessor = processor;
        this.kindsRunner = kindsRunner;
        this.kind = kind;
    }

    @Override
    public TriggerEndpoint getEndpoint() {
        return (TriggerEndpoint) super.getEndpoint();
    }

    /** Runs the pipeline in the calling thread with the exchange's trigger header (default manual). */
    void fire(Exchange exchange) throws Exception {
        if (exchange.getMessage().getHeader(TriggerKind.HEADER) == null) {
            exchange.getMessage().setHeader(TriggerKind.HEADER, TriggerKind.MANUAL.value());
        }
        if (stopping()) {
            CamelContext context = getEndpoint().getCamelContext();
            throw new IllegalStateException("pipeline " + getEndpoint().getPipeline() + " not started: "
                    + (context.isStopping() || context.isStopped() ? "Harvester is stopping"
                    : "its route " + getRouteId() + " is " + context.getRouteController().getRouteStatus(getRouteId())));
        }
        if (paused) {
            throw new RunRefused(pausedMessage(getEndpoint().getPipeline()));
        }
        String callerRun = MDC.get(RunHandle.MDC_KEY);
        entered.incrementAndGet();
        try {
            refuseWhileHeld();
            getProcessor().process(exchange);
        } finally {
            entered.decrementAndGet();
            // the caller's thread outlives the run; its later log lines carry its own run id, if any, not this one's
            if (callerRun == null) {
                MDC.remove(RunHandle.MDC_KEY);
            } else {
                MDC.put(RunHandle.MDC_KEY, callerRun);
            }
        }
    }

    /** A cron tick Quartz gave this instance: one line per tick names it, so each tick can be followed across instances. */
    private void fire(Instant tick) {
        if (stopping()) {
            LOG.info("Pipeline {}: schedule tick {} ignored, Harvester is stopping", getEndpoint().getPipeline(), tick);
            return;
        }
        if (paused) {
            LOG.info("Pipeline {}: schedule tick {} ignored, the pipeline is paused", getEndpoint().getPipeline(), tick);
            return;
        }
        LOG.info("Pipeline {}: schedule tick {} runs on this instance", getEndpoint().getPipeline(), tick);
        run(TriggerKind.SCHEDULE);
    }

    private void fire(TriggerKind kind) {
        if (stopping()) {
            LOG.info("Pipeline {}: {} trigger ignored, Harvester is stopping", getEndpoint().getPipeline(), kind.value());
            return;
        }
        if (paused) {
            LOG.info("Pipeline {}: {} trigger ignored, the pipeline is paused", getEndpoint().getPipeline(), kind.value());
            return;
        }
        run(kind);
    }

    static String heldMessage(String pipeline) {
        return "pipeline " + pipeline + " not started: its route file is being applied (live route edit); start it"
                + " again in a moment";
    }

    private void run(TriggerKind kind) {
        entered.incrementAndGet();
        if (held()) {
            entered.decrementAndGet();
            // not counted while it waits: the swap it waits for must not wait for it
            runAfterHold(kind);
            return;
        }
        Exchange exchange = createExchange(false);
        exchange.getMessage().setHeader(TriggerKind.HEADER, kind.value());
        try {
            getProcessor().process(exchange);
            if (exchange.getException() != null) {
                getExceptionHandler().handleException("pipeline " + getEndpoint().getPipeline() + " failed", exchange,
                        exchange.getException());
            }
        } catch (Exception e) {
            getExceptionHandler().handleException("pipeline " + getEndpoint().getPipeline() + " failed", exchange, e);
        } finally {
            entered.decrementAndGet();
            MDC.remove(RunHandle.MDC_KEY);
            releaseExchange(exchange, false);
        }
    }

    /**
     * A tick (or start-up trigger) that came during a live route edit waits for the edit, bounded, then runs
     * on the pipeline's route as it is then (the new one): a tick is not lost to an edit.
     */
    private void runAfterHold(TriggerKind kind) {
        String pipeline = getEndpoint().getPipeline();
        LOG.info("Pipeline {}: {} trigger waits for its route file being applied (live route edit)", pipeline, kind.value());
        TriggerConsumer now;
        try {
            now = getEndpoint().getComponent().awaitRelease(pipeline, HOLD_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("Pipeline {}: {} trigger ignored, interrupted while its route file was being applied", pipeline, kind.value());
            return;
        }
        if (now == null || now.stopping()) {
            LOG.warn("Pipeline {}: {} trigger ignored, {}", pipeline, kind.value(), getEndpoint().getComponent().isHeld(pipeline)
                    ? "its route file was still being applied after " + HOLD_WAIT_MS + " ms" : "no route runs it after the live route edit");
            return;
        }
        now.fire(kind);
    }

    /**
     * Takes one hold (new runs refused from now on) or gives one back (new runs taken again once no hold is
     * left); returns the runs in progress through this consumer.
     */
    int hold(boolean hold) {
        if (hold) {
            holds.incrementAndGet();
        } else {
            holds.getAndUpdate(count -> Math.max(0, count - 1));
        }
        return entered.get();
    }

    /** Pauses the pipeline here: its schedule stops, new runs are refused; a run in flight goes on. */
    synchronized void pauseRuns() {
        if (!paused) {
            paused = true;
            stopSchedule();
        }
    }

    /** Takes runs again, on demand and on its schedule. */
    synchronized void resumeRuns() {
        if (paused) {
            paused = false;
            if (isStarted()) {
                startSchedule();
            }
        }
    }

    boolean paused() {
        return paused;
    }

    static String pausedMessage(String pipeline) {
        return "pipeline " + pipeline + " is paused (POST /api/pipelines/" + pipeline + "/resume resumes it)";
    }

    /** Refuses a new run while a live route edit holds this route. */
    void refuseWhileHeld() {
        if (held()) {
            throw new IllegalStateException(heldMessage(getEndpoint().getPipeline()));
        }
    }

    /** Whether a hold is on this route now. */
    boolean held() {
        return holds.get() > 0;
    }

    private boolean stopping() {
        CamelContext context = getEndpoint().getCamelContext();
        return draining || context.isStopping() || context.isStopped() || isStopping() || isStopped();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        draining = false;
        TriggerEndpoint endpoint = getEndpoint();
        requireSharedErrorHandling(endpoint);
        lifecycle = Beans.need(endpoint.getCamelContext(), RunLifecycle.class, getClass());
        endpoint.getComponent().register(endpoint.getPipeline(), this);
        registerView();
        startSchedule();
        if (endpoint.isRunAtStartup()) {
            startupRunner = endpoint.getCamelContext().getExecutorServiceManager()
                    .newSingleThreadExecutor(this, "startup-" + endpoint.getPipeline());
            // wait for the whole context, so a start-up run never races routes it may call
            endpoint.getCamelContext().addStartupListener((context, alreadyStarted) -> {
                // a route restarted later (JMX, reload) is not a start of Harvester
                if (!alreadyStarted) {
                    startupRunner.submit(() -> fire(TriggerKind.STARTUP));
                }
            });
        }
    }

    /**
     * The pipeline's MBean, from the route's start until its removal: a route stopped over JMX still shows
     * its pipeline, Stopped. A kind may register views of its own, which extend this one (crawls, jobs).
     */
    private void registerView() throws Exception {
        String pipeline = getEndpoint().getPipeline();
        if (hasPlainView()) {
            HarvesterMBeans.register(getEndpoint().getCamelContext(),
                    new PipelineView(getEndpoint().getCamelContext(), pipeline), PipelineView.name(pipeline));
        }
    }

    private boolean hasPlainView() {
        return !kind.ownView();
    }

    /**
     * The route is removed: its pipeline's view goes. A kind's runner (a job's execution) hears of it only
     * from here (Camel's bridge to a plain processor passes on start and stop, not shutdown), and drops its
     * view then, not when the route is merely stopped.
     */
    @Override
    protected void doShutdown() throws Exception {
        if (hasPlainView()) {
            HarvesterMBeans.unregister(PipelineView.name(getEndpoint().getPipeline()));
        }
        if (kindsRunner) {
            ServiceHelper.stopAndShutdownService(pipelineProcessor);
        }
        super.doShutdown();
    }

    /**
     * A pipeline route under Camel's default error handler would leave a failed page's run hanging:
     * refuse to start it instead.
     */
    private void requireSharedErrorHandling(TriggerEndpoint endpoint) {
        if (!(endpoint.getCamelContext() instanceof ModelCamelContext model) || getRouteId() == null) {
            return;
        }
        RouteDefinition route = model.getRouteDefinition(getRouteId());
        String configurations = route == null ? null : route.getRouteConfigurationId();
        boolean uses = configurations != null && java.util.Arrays.stream(configurations.split(","))
                .map(String::trim).anyMatch(PIPELINE_CONFIGURATION::equals);
        if (route != null && !uses) {
            throw new IllegalStateException("pipeline " + endpoint.getPipeline() + " (route " + getRouteId()
                    + ") lacks routeConfigurationId: " + PIPELINE_CONFIGURATION + "; without the shared error handling a"
                    + " failed request would leave its run hanging");
        }
        if (route != null && model.getRouteConfigurationDefinitions().stream()
                .noneMatch(c -> PIPELINE_CONFIGURATION.equals(c.getId()))) {
            throw new IllegalStateException("pipeline " + endpoint.getPipeline() + ": route configuration "
                    + PIPELINE_CONFIGURATION + " is not loaded (routes/harvester-pipeline.camel.yaml missing?)");
        }
    }

    private void startSchedule() {
        if (paused) {
            return;
        }
        TriggerEndpoint endpoint = getEndpoint();
        if (!endpoint.hasSchedule()) {
            // a cron emptied (route file, harvester.schedule.*.cron=) leaves no job behind firing on every instance
            endpoint.getComponent().forgetSchedule(endpoint.getPipeline());
            return;
        }
        try {
            if (!endpoint.schedule().start(this::fire)) {
                return;
            }
        } catch (Exception e) {
            throw new IllegalArgumentException("pipeline " + endpoint.getPipeline() + ": bad cron '"
                    + endpoint.getCron() + "'" + (endpoint.getCronSource() == null ? "" : " in " + endpoint.getCronSource())
                    + " (Quartz syntax: sec min hour day-of-month month day-of-week [year]): "
                    + e.getMessage(), e);
        }
        LOG.info("Pipeline {} scheduled with cron '{}'", endpoint.getPipeline(), endpoint.getCron());
    }

    /**
     * Suspended over JMX (org.apache.camel:type=routes, suspend): like a stop, the schedule stops and no run
     * starts, after the runs in flight ended (Camel waits for them as on shutdown).
     */
    @Override
    protected void doSuspend() throws Exception {
        draining = true;
        stopSchedule();
        super.doSuspend();
    }

    /** A suspended route (JMX) resumes: runs may start again, on demand and on schedule. */
    @Override
    protected void doResume() throws Exception {
        super.doResume();
        draining = false;
        startSchedule();
    }

    /** Shutdown begins: no new run from the schedule; the consumer stays up until the runs in flight end. */
    @Override
    public boolean deferShutdown(ShutdownRunningTask shutdownRunningTask) {
        draining = true;
        stopSchedule();
        return true;
    }

    @Override
    public int getPendingExchangesSize() {
        // a run in flight is an in-flight exchange of the route, which Camel counts itself
        return 0;
    }

    @Override
    public void prepareShutdown(boolean suspendOnly, boolean forced) {
        // nothing to prepare: runs still live when the consumer stops are interrupted in doStop
    }

    @Override
    protected void doStop() throws Exception {
        stopSchedule();
        if (startupRunner != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdown(startupRunner);
            startupRunner = null;
        }
        if (lifecycle != null) {
            lifecycle.interrupt(getEndpoint().getPipeline(), interruptReason());
        }
        getEndpoint().getComponent().unregister(getEndpoint().getPipeline(), this);
        super.doStop();
    }

    private String interruptReason() {
        CamelContext context = getEndpoint().getCamelContext();
        long timeout = context.getShutdownStrategy().getTimeUnit().toSeconds(context.getShutdownStrategy().getTimeout());
        return context.isStopping() ? "stopped by shutdown after " + timeout + " s"
                : "stopped with its route " + getRouteId() + " after up to " + timeout + " s";
    }

    private void stopSchedule() {
        CronSchedule schedule = getEndpoint().schedule();
        if (schedule != null) {
            try {
                schedule.stop();
            } catch (RuntimeException e) {
                LOG.warn("Pipeline {}: stopping its schedule failed: {}", getEndpoint().getPipeline(), e.getMessage(), e);
            }
        }
    }
}
