package io.harvester.pipeline;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;

/**
 * One kind of pipeline: export, crawl, job, dispatch, system. Its pipelines are named {@code <kind>:<name>}
 * and their routes start from {@code trigger:<kind>:<name>}. The kernel (the trigger, the runs API, live
 * reload, the views) asks a pipeline's kind what differs and never names one; a new kind is a package with
 * one implementation of this, bound in Camel's registry ({@link PipelineKinds} finds it there).
 * <p>
 * Every method but {@link #name} has the answer of a plain kind, so a kind states only what it does
 * differently. The shape follows Camel's component → endpoint → consumer: the kind is asked once per
 * pipeline route for what runs it.
 */
public interface PipelineKind {

    /** The prefix of its pipelines' names ({@code export} for {@code export:orders}). */
    String name();

    /**
     * What a trigger of the pipeline runs: the route's own processing (the default), or the route under the
     * kind's control (a job runs its steps under its failure policy). A runner that is a Camel service is
     * started and stopped with the route's consumer, and shut down when the route is removed.
     */
    default Processor runner(CamelContext context, String pipeline, Processor route) {
        return route;
    }

    /**
     * Checks what configures the kind once the routes are known, before any tick: {@code pipelines} are
     * the kind's pipelines of this daemon. A failure stops start-up with its message.
     */
    default void checkAtStartup(CamelContext context, Set<String> pipelines) {
    }

    /** The schedule when neither the route nor {@code harvester.schedule.*} names one. */
    default Optional<DefaultCron> defaultCron(CamelContext context, String pipeline) {
        return Optional.empty();
    }

    /** A cron a kind supplies, and the property it comes from (for the message about a bad one). */
    record DefaultCron(String cron, String source) {
    }

    /**
     * Whether a live run of this kind whose instance died is taken over by a live instance that runs the
     * pipeline: the same run continues there (its runner begins it through {@code RunTemplate}, which adopts
     * it; a job's execution continues its steps). A kind that cannot continue a run of its own leaves it to
     * the heartbeat sweep.
     */
    default boolean takesOver() {
        return true;
    }

    /**
     * Whether the kind's policy reads a pipeline's newest ended run to decide its next trigger (a job's skips
     * and resumes): retention then keeps that run, and the skipped runs counted against it, whatever their age.
     */
    default boolean readsLastRun() {
        return false;
    }

    /**
     * Whether the kind's own beans register the pipeline's JMX view (a richer one, extending the trigger's
     * PipelineView); otherwise the trigger registers the plain view while the route exists.
     */
    default boolean ownView() {
        return false;
    }

    /** The pipeline's route was removed (a live route edit deleted it): release what the kind holds for it. */
    default void release(CamelContext context, String pipeline) {
    }

    /**
     * The prefixes of the properties that configure one pipeline of this kind, besides the trigger's own
     * {@code harvester.schedule.<kind>.<name>.}: what is left behind when the pipeline goes.
     */
    default List<String> settingPrefixes(String pipeline) {
        return List.of();
    }

    /** The parameters a start of the pipeline may give ({@code POST /api/runs} params, JMX), in the order shown. */
    default List<String> startParams(String pipeline) {
        return List.of();
    }

    /**
     * The trigger headers of a start that carries parameters (the runs API's {@code params}, JMX); a
     * parameter the kind does not take is refused, naming it.
     */
    default Map<String, Object> startHeaders(String pipeline, Map<String, JsonNode> params) {
        params.keySet().stream().findFirst().ifPresent(param -> {
            throw new PipelineRefused(400, "params." + param, pipeline + " takes no parameter '" + param + "'");
        });
        return Map.of();
    }

    /**
     * Whether its runs' step records count what a run wrote (a job's rows), as charts of a pipeline's runs show them
     * when the run has no primary file; an export's steps count pages, a crawl's nodes looked up.
     */
    default boolean stepRecordsAreWrites() {
        return true;
    }

    /** The steps one of its runs may run alone (a job's), in their order; none for a kind without steps. */
    default List<String> steps(String pipeline) {
        return List.of();
    }

    /**
     * Where a new run starts after one that did not complete: {@code failed-step} (a job resumes there, the steps
     * that completed are not run again) or {@code beginning}; null for a kind that always starts anew.
     */
    default String restartFrom(String pipeline) {
        return null;
    }

    /** The trigger headers of a start of one step only; refused for a kind without steps. */
    default Map<String, Object> singleStep(String pipeline, String step) {
        throw new PipelineRefused(400, "mode", "mode single runs one step of a job; " + pipeline + " is not a job");
    }

    /**
     * An incremental pipeline's watermark ({@link Watermark#NONE} while it keeps none yet); empty for a pipeline
     * that reads everything each run.
     */
    default Optional<Watermark> watermark(String pipeline) {
        return Optional.empty();
    }

    /**
     * Sets an incremental pipeline's watermark by hand ({@code by}: api, jmx), or forgets it ({@code value} null:
     * the next run starts from the configured start); refused for a pipeline that keeps none, or a value it cannot
     * order. Returns the watermark now kept.
     */
    default Watermark resetWatermark(String pipeline, String value, String by) {
        throw new PipelineRefused(409, "pipeline", pipeline + " keeps no watermark: it is not an incremental export");
    }

    /**
     * Whether a start with these trigger headers replaces the pipeline's live run (the kind's policy then
     * cancels it, as a job's policy does a stuck run); by default a live run refuses every other start.
     */
    default boolean replacesLiveRun(String pipeline, Map<String, Object> headers) {
        return false;
    }
}
