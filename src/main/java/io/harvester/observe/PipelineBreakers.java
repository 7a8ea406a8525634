package io.harvester.observe;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.harvester.trigger.TriggerEndpoint;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.component.resilience4j.ResilienceProcessor;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pipeline ({@code export:<name>}, {@code crawl:<name>}, any kind whose template names a breaker) to the circuit breaker of its route: the one
 * place the JMX view, the health checks and the metrics find a breaker. Kept in step with the routes
 * as they come and go (a Camel lifecycle strategy), so a route removed and added again by a reload gets
 * its new breaker registered, and the removed one is let go.
 */
public final class PipelineBreakers extends LifecycleStrategySupport {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineBreakers.class);
    /**
     * A pipeline's template names its breaker {@code breaker-<kind>-<name>} ({@code breaker-export-orders});
     * Camel prefixes node ids of template routes ({@code route-N}).
     */
    private static final String BREAKER_IDS = ".*breaker-[a-z]+-.*";

    /** Told when a pipeline's breaker comes and goes (JMX, health, meters follow it). */
    public interface Listener {
        void added(String pipeline);

        void removed(String pipeline);
    }

    private record Entry(String routeId, ResilienceProcessor breaker) {
    }

    private final Map<String, Entry> byPipeline = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    public void listen(Listener listener) {
        listeners.add(listener);
    }

    /** The breaker of a pipeline's route as it is now; empty when the pipeline has no route (any more). */
    public Optional<ResilienceProcessor> breaker(String pipeline) {
        return Optional.ofNullable(byPipeline.get(pipeline)).map(Entry::breaker);
    }

    /** Every pipeline with a breaker, sorted. */
    public Set<String> pipelines() {
        return new TreeMap<>(byPipeline).keySet();
    }

    /** The breaker's state (CLOSED, OPEN, HALF_OPEN, FORCED_OPEN, ...); null before its route started. */
    public String state(String pipeline) {
        return breaker(pipeline).map(ResilienceProcessor::getCircuitBreakerState).orElse(null);
    }

    @Override
    public void onRoutesAdd(Collection<Route> routes) {
        for (Route route : routes) {
            for (Processor processor : route.filter(BREAKER_IDS)) {
                if (processor instanceof ResilienceProcessor breaker) {
                    String pipeline = pipelineOf(route, breaker.getId());
                    byPipeline.put(pipeline, new Entry(route.getRouteId(), breaker));
                    LOG.debug("Circuit breaker of {} registered (route {})", pipeline, route.getRouteId());
                    listeners.forEach(listener -> listener.added(pipeline));
                }
            }
        }
    }

    @Override
    public void onRoutesRemove(Collection<Route> routes) {
        for (Route route : routes) {
            byPipeline.entrySet().removeIf(entry -> {
                boolean gone = entry.getValue().routeId().equals(route.getRouteId());
                if (gone) {
                    listeners.forEach(listener -> listener.removed(entry.getKey()));
                }
                return gone;
            });
        }
    }

    @Override
    public void onContextStopped(CamelContext context) {
        for (String pipeline : pipelines()) {
            byPipeline.remove(pipeline);
            listeners.forEach(listener -> listener.removed(pipeline));
        }
    }

    /** The route's trigger names the pipeline; a route without one by its breaker's id ({@code breaker-export-x}). */
    static String pipelineOf(Route route, String breakerId) {
        if (route.getEndpoint() instanceof TriggerEndpoint trigger && trigger.getPipeline() != null) {
            return trigger.getPipeline();
        }
        String kindAndName = breakerId.substring(breakerId.indexOf("breaker-") + "breaker-".length());
        int dash = kindAndName.indexOf('-');
        return kindAndName.substring(0, dash) + ":" + kindAndName.substring(dash + 1);
    }
}
