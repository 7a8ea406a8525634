package io.harvester.runs;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The one run skeleton every pipeline kind uses: begin a run for the exchange's trigger, or record the
 * trigger skipped while a run of the pipeline is live; tell a waiting starter the run's id; carry the id in
 * the thread's MDC while the run works, and give the thread its MDC back afterwards; end the run failed,
 * naming the cause, when its work fails. The shape of Spring Batch's {@code AbstractStep.execute →
 * doExecute}: the kind writes only the work.
 */
public final class RunTemplate {

    private static final Logger LOG = LoggerFactory.getLogger(RunTemplate.class);
    /** Trigger header: the id of a run this instance took over from a dead one, to continue instead of beginning one. */
    public static final String TAKE_OVER = "HarvesterTakeOver";
    /** Trigger header: the id of a live run of another instance to help with (a spread crawl), instead of beginning one. */
    public static final String HELP = "HarvesterHelp";

    private final RunLifecycle lifecycle;

    public RunTemplate(RunLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    /** A run's work: it ends the run itself when it is through (with the status it earned), or throws. */
    @FunctionalInterface
    public interface Work {
        void run(LiveRun run) throws Exception;
    }

    /** What a run of a pipeline is: its name, its {@code runs.params}, its output folder (null: none). */
    public record Spec(String pipeline, Map<String, ?> params, String outputDir) {
        public static Spec of(String pipeline, Map<String, ?> params) {
            return new Spec(pipeline, params, null);
        }
    }

    /**
     * Begins a run, or (empty) logs the trigger skipped because a run of the pipeline is live; with header
     * {@link #TAKE_OVER}, continues that run, taken over from a dead instance, instead; with header
     * {@link #HELP}, works on another instance's live run beside it ({@link LiveRun#helping()}). The run's id
     * is in the thread's MDC from here on: the caller gives the thread its MDC back ({@link #withRunId}, or
     * the trigger's consumer once the route is through).
     */
    public Optional<LiveRun> begin(Exchange exchange, Spec spec) {
        TriggerKind trigger = TriggerKind.parse(exchange.getMessage().getHeader(TriggerKind.HEADER));
        Long takenOver = exchange.getMessage().getHeader(TAKE_OVER, Long.class);
        Long helped = exchange.getMessage().getHeader(HELP, Long.class);
        if (helped != null) {
            return joined(lifecycle.help(helped, spec.pipeline(), spec.outputDir()), spec, helped,
                    "helping run {} of another instance", "run {} is no longer live: not helped");
        }
        if (takenOver != null) {
            return joined(lifecycle.adopt(takenOver, spec.pipeline(), spec.outputDir()), spec, takenOver,
                    "run {} continues here, taken over from a dead instance", "run {} is no longer live here: not continued");
        }
        Optional<LiveRun> begun = lifecycle.begin(spec.pipeline(), trigger.value(), spec.params(), spec.outputDir());
        if (begun.isEmpty()) {
            LOG.warn("{}: {} trigger skipped, a run is still in progress", spec.pipeline(), trigger.value());
            return begun;
        }
        RunStart.begun(exchange, begun.get().id());
        MDC.put(RunHandle.MDC_KEY, String.valueOf(begun.get().id()));
        return begun;
    }

    /** An existing run this instance works on (taken over, or helped with): its id in the MDC, and a line saying so. */
    private static Optional<LiveRun> joined(Optional<LiveRun> run, Spec spec, long runId, String joinedHow, String notHow) {
        if (run.isPresent()) {
            MDC.put(RunHandle.MDC_KEY, String.valueOf(runId));
        }
        LOG.info("{}: " + (run.isPresent() ? joinedHow : notHow), spec.pipeline(), runId);
        return run;
    }

    /**
     * Runs {@code work} as a run of its own: begun (or skipped), the thread's MDC as it was afterwards, and
     * ended failed with {@code failure}'s message when the work throws. Returns the run's id, empty when skipped.
     */
    public Optional<Long> run(Exchange exchange, Spec spec, Function<Exception, String> failure, Work work) {
        String callerRun = MDC.get(RunHandle.MDC_KEY);
        try {
            Optional<LiveRun> begun = begin(exchange, spec);
            begun.ifPresent(run -> {
                try {
                    work.run(run);
                } catch (Exception e) {
                    String message = failure.apply(e);
                    LOG.error(message, e);
                    run.end(RunStatus.FAILED, message, null);
                }
            });
            return begun.map(LiveRun::id);
        } finally {
            restore(callerRun);
        }
    }

    /** Runs {@code work} with the run's id in the thread's MDC, and gives the thread its own back afterwards. */
    public static void withRunId(long runId, Runnable work) {
        String callerRun = MDC.get(RunHandle.MDC_KEY);
        MDC.put(RunHandle.MDC_KEY, String.valueOf(runId));
        try {
            work.run();
        } finally {
            restore(callerRun);
        }
    }

    /** A job fired from another run's route gives that run's id back to its log lines; otherwise none is left. */
    private static void restore(String callerRun) {
        if (callerRun == null) {
            MDC.remove(RunHandle.MDC_KEY);
        } else {
            MDC.put(RunHandle.MDC_KEY, callerRun);
        }
    }
}
