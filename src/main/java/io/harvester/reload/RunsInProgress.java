package io.harvester.reload;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

import io.harvester.trigger.TriggerComponent;
import org.apache.camel.CamelContext;

/**
 * An edit waits for the runs in progress on the routes it replaces: a run is never cut off nor
 * half-configured by an edit, the next run uses the new file.
 */
final class RunsInProgress {

    /** What came of a swap tried: the runs it waits for ("route id" or "pipeline name" to how many), or the swap's failure. */
    record Attempt(Map<String, Integer> busy, Optional<String> failure) {
    }

    private final CamelContext context;

    RunsInProgress(CamelContext context) {
        this.context = context;
    }

    /**
     * Swaps when no run is in progress on the routes: neither an exchange in flight nor a run their
     * pipelines' trigger started. From this last look until the swap is done the pipelines take no new run
     * ({@link TriggerComponent#hold}), so none can slip in between.
     */
    Attempt swapWhenIdle(Set<String> routeIds, Supplier<Optional<String>> swap) {
        Map<String, Integer> busy = inFlight(routeIds);
        Optional<String> failure = Optional.empty();
        if (busy.isEmpty()) {
            try (TriggerComponent.Hold hold = TriggerComponent.of(context).hold(ContextRoutes.pipelines(context, routeIds).values())) {
                hold.runsInProgress().forEach((pipeline, runs) -> busy.put("pipeline " + pipeline, runs));
                if (busy.isEmpty()) {
                    failure = swap.get();
                }
            }
        }
        return new Attempt(busy, failure);
    }

    /** "route id" to its exchanges in flight, for the routes that have any: a pipeline's runs in progress. */
    private Map<String, Integer> inFlight(Set<String> routeIds) {
        Map<String, Integer> busy = new TreeMap<>();
        for (String id : routeIds) {
            int inFlight = context.getInflightRepository().size(id);
            if (inFlight > 0) {
                busy.put("route " + id, inFlight);
            }
        }
        return busy;
    }
}
