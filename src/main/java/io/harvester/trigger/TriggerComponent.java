package io.harvester.trigger;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import io.harvester.runs.TriggerKind;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.support.DefaultComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code trigger:<pipeline>[?cron=...&runAtStartup=true]} starts a pipeline route: on a Quartz cron, once
 * at startup, or on demand when something sends to {@code trigger:<pipeline>} (REST, JMX, tests).
 * <p>
 * One entry point per pipeline means a route template needs a single {@code from}, whatever starts it.
 */
public class TriggerComponent extends DefaultComponent {

    /** The URI scheme pipeline routes start from. */
    public static final String SCHEME = "trigger";
    private static final Logger LOG = LoggerFactory.getLogger(TriggerComponent.class);

    private final Map<String, TriggerConsumer> consumers = new ConcurrentHashMap<>();
    /** Pipelines under a {@link #hold}, to the number of holds on each; guarded by itself. */
    private final Map<String, Integer> held = new HashMap<>();
    private ProducerTemplate background;

    /** The component of a context, for starting its pipelines. */
    public static TriggerComponent of(CamelContext context) {
        return context.getComponent(SCHEME, TriggerComponent.class);
    }

    /**
     * Starts a pipeline in the background (JMX operations: they answer at once), with these headers; the
     * run, or the skipped row, appears in table runs.
     */
    public void startInBackground(String pipeline, Map<String, Object> headers) {
        // nobody waits for this run: a start refused (held, stopped, unknown pipeline) would otherwise go unseen
        startInBackground(pipeline, headers, Map.of()).whenComplete((exchange, failure) -> {
            Throwable reason = failure != null ? failure : exchange == null ? null : exchange.getException();
            if (reason != null) {
                LOG.warn("Pipeline {}: started in the background ({}), it failed: {}", pipeline,
                        headers.getOrDefault(TriggerKind.HEADER, TriggerKind.MANUAL.value()), reason.getMessage());
            }
        });
    }

    /**
     * Starts a pipeline in the background with these headers and exchange properties (the runs API hands
     * a {@code RunStart} this way); the future completes with the exchange when the run is over.
     */
    public synchronized CompletableFuture<Exchange> startInBackground(String pipeline, Map<String, Object> headers,
                                                                       Map<String, Object> properties) {
        if (background == null) {
            background = getCamelContext().createProducerTemplate();
        }
        return background.asyncSend("trigger:" + pipeline, exchange -> {
            exchange.getMessage().setHeaders(new HashMap<>(headers));
            properties.forEach(exchange::setProperty);
        });
    }

    /** The pipelines the routes of a context declare, started or not (each route from {@code trigger:<pipeline>}). */
    public static Set<String> declared(CamelContext context) {
        return context.getRoutes().stream().map(Route::getEndpoint).filter(TriggerEndpoint.class::isInstance)
                .map(endpoint -> ((TriggerEndpoint) endpoint).getPipeline()).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The route of a pipeline in a context (the one from {@code trigger:<pipeline>}), started or not. */
    public static Optional<Route> route(CamelContext context, String pipeline) {
        return context.getRoutes().stream()
                .filter(route -> route.getEndpoint() instanceof TriggerEndpoint trigger && pipeline.equals(trigger.getPipeline()))
                .findFirst();
    }

    /**
     * Deletes the pipeline's Quartz job and trigger from the shared store, if any: the pipeline was removed
     * (live edit) or starts without a schedule. Every instance shares the store: the same route files
     * everywhere are expected. Failures are logged (WARN), not thrown.
     */
    public void forgetSchedule(String pipeline) {
        CamelContext context = getCamelContext();
        if (context.hasComponent("quartz") == null) {
            return;
        }
        try {
            if (CronSchedule.forget(context, pipeline)) {
                // WARN: the store is the cluster's; an instance that still has the cron does not store it again
                // before its own restart, so instances that disagree stop the pipeline's schedule everywhere
                LOG.warn("Pipeline {}: its stored schedule (Quartz job {}.{}) is deleted for every instance sharing"
                        + " the database: the pipeline {} here", pipeline, CronSchedule.GROUP, CronSchedule.job(pipeline),
                        declared(context).contains(pipeline) ? "has no cron any more" : "is no longer declared");
            }
        } catch (Exception e) {
            LOG.warn("Pipeline {}: deleting its stored schedule (Quartz job {}.{}) failed: {}", pipeline, CronSchedule.GROUP,
                    CronSchedule.job(pipeline), e.getMessage(), e);
        }
    }

    /** The pipelines whose routes run now (each route from {@code trigger:<pipeline>}). */
    public Set<String> pipelines() {
        return new TreeSet<>(consumers.keySet());
    }

    /**
     * Refuses new runs of these pipelines (a trigger is refused with a message, a cron tick ignored with a
     * WARN) until the hold is closed: a live route edit swaps their routes under it, so no run can start
     * between its check for runs in progress and the routes' stop. Pipelines not running here are skipped.
     */
    public Hold hold(Collection<String> pipelines) {
        Set<String> names = new TreeSet<>(pipelines);
        synchronized (this.held) {
            names.forEach(pipeline -> this.held.merge(pipeline, 1, Integer::sum));
        }
        Map<String, TriggerConsumer> held = new TreeMap<>();
        Map<String, Integer> running = new TreeMap<>();
        for (String pipeline : names) {
            TriggerConsumer consumer = consumers.get(pipeline);
            if (consumer != null) {
                held.put(pipeline, consumer);
                int runs = consumer.hold(true);
                if (runs > 0) {
                    running.put(pipeline, runs);
                }
            }
        }
        return new Hold(names, held, running);
    }

    /** Whether a {@link #hold} is on the pipeline now (its route may be gone for the moment). */
    boolean isHeld(String pipeline) {
        synchronized (held) {
            return held.containsKey(pipeline);
        }
    }

    /**
     * Waits, at most {@code millis}, for the holds on a pipeline to close; then its consumer as it runs now
     * (the new route's after a live edit), or null when the wait ran out or no route runs the pipeline.
     */
    TriggerConsumer awaitRelease(String pipeline, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        synchronized (held) {
            while (held.containsKey(pipeline)) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return null;
                }
                held.wait(left);
            }
        }
        return consumers.get(pipeline);
    }

    private void release(Set<String> pipelines) {
        synchronized (held) {
            pipelines.forEach(pipeline -> held.computeIfPresent(pipeline, (name, count) -> count > 1 ? count - 1 : null));
            held.notifyAll();
        }
    }

    /** Pipelines held by {@link #hold}, with the runs they had in progress when the hold began. */
    public final class Hold implements AutoCloseable {
        private final Set<String> names;
        private final Map<String, TriggerConsumer> held;
        private final Map<String, Integer> running;

        private Hold(Set<String> names, Map<String, TriggerConsumer> held, Map<String, Integer> running) {
            this.names = names;
            this.held = held;
            this.running = running;
        }

        /** Pipeline to its runs in progress when the hold began; empty when none was running. */
        public Map<String, Integer> runsInProgress() {
            return running;
        }

        /** New runs are taken again (by the consumers held; replaced ones are gone anyway). */
        @Override
        public void close() {
            held.values().forEach(consumer -> consumer.hold(false));
            release(names);
        }
    }

    @Override
    protected synchronized void doStop() throws Exception {
        if (background != null) {
            background.stop();
            background = null;
        }
        super.doStop();
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        TriggerEndpoint endpoint = new TriggerEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    void register(String pipeline, TriggerConsumer consumer) {
        TriggerConsumer previous = consumers.putIfAbsent(pipeline, consumer);
        if (previous != null && previous != consumer) {
            throw new IllegalStateException("pipeline " + pipeline + " is declared twice (trigger:" + pipeline + ")");
        }
    }

    /** Pauses ({@code true}) or resumes pipeline {@code pipeline} here; refused for a pipeline not running here. */
    public void pause(String pipeline, boolean pause) {
        TriggerConsumer consumer = consumer(pipeline);
        if (pause) {
            consumer.pauseRuns();
        } else {
            consumer.resumeRuns();
        }
    }

    /** Whether pipeline {@code pipeline} is paused here (false for one not running here). */
    public boolean paused(String pipeline) {
        TriggerConsumer consumer = consumers.get(pipeline);
        return consumer != null && consumer.paused();
    }

    void unregister(String pipeline, TriggerConsumer consumer) {
        consumers.remove(pipeline, consumer);
    }

    TriggerConsumer consumer(String pipeline) {
        TriggerConsumer consumer = consumers.get(pipeline);
        if (consumer == null && isHeld(pipeline)) {
            // between the old route's removal and the new one's start during a live edit
            throw new IllegalStateException(TriggerConsumer.heldMessage(pipeline));
        }
        if (consumer == null) {
            throw new IllegalArgumentException("no pipeline named " + pipeline + " is running (known: "
                    + consumers.keySet() + ")");
        }
        return consumer;
    }
}
