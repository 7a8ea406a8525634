package io.harvester.observe;

import java.util.function.Consumer;
import java.util.function.Function;

import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedOperation;
import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.component.resilience4j.ResilienceProcessor;

/**
 * A pipeline's circuit breaker under a name that survives route changes
 * ({@code io.harvester:type=breaker,kind=export,name="<name>"}), where Camel's own view of it sits under a
 * generated node id. It looks the breaker up on every call, so it always acts on the route's current one.
 */
@ManagedResource(description = "A Harvester pipeline's circuit breaker (Resilience4j)")
public class BreakerView {

    private final PipelineBreakers breakers;
    private final String pipeline;

    BreakerView(PipelineBreakers breakers, String pipeline) {
        this.breakers = breakers;
        this.pipeline = pipeline;
    }

    @ManagedAttribute(description = "The pipeline, export:<name> or crawl:<name>")
    public String getPipeline() {
        return pipeline;
    }

    @ManagedAttribute(description = "CLOSED, OPEN, HALF_OPEN, FORCED_OPEN (DISABLED, METRICS_ONLY); empty before its route started")
    public String getState() {
        String state = breakers.state(pipeline);
        return state == null ? "" : state;
    }

    @ManagedAttribute(description = "Failed calls in percent of the calls in the sliding window; -1 until minimum-number-of-calls were made")
    public float getFailureRate() {
        return read(ResilienceProcessor::getFailureRate, 0f);
    }

    @ManagedAttribute(description = "Calls in the sliding window")
    public int getBufferedCalls() {
        return read(ResilienceProcessor::getNumberOfBufferedCalls, 0);
    }

    @ManagedAttribute(description = "Failed calls in the sliding window")
    public int getFailedCalls() {
        return read(ResilienceProcessor::getNumberOfFailedCalls, 0);
    }

    @ManagedAttribute(description = "Successful calls in the sliding window")
    public int getSuccessfulCalls() {
        return read(ResilienceProcessor::getNumberOfSuccessfulCalls, 0);
    }

    @ManagedAttribute(description = "Calls refused while open, since the breaker was last closed")
    public long getNotPermittedCalls() {
        return read(ResilienceProcessor::getNumberOfNotPermittedCalls, 0L);
    }

    @ManagedOperation(description = "Closes the breaker: calls go through again, its window starts empty")
    public void transitionToClosedState() {
        act(ResilienceProcessor::transitionToCloseState);
    }

    @ManagedOperation(description = "Opens the breaker for good: every call is refused until it is closed by hand")
    public void transitionToForcedOpenState() {
        act(ResilienceProcessor::transitionToForcedOpenState);
    }

    @ManagedOperation(description = "Opens the breaker: calls are refused for wait-duration-in-open-state, then it half-opens")
    public void transitionToOpenState() {
        act(ResilienceProcessor::transitionToOpenState);
    }

    @ManagedOperation(description = "Half-opens the breaker: a few trial calls decide whether it closes")
    public void transitionToHalfOpenState() {
        act(ResilienceProcessor::transitionToHalfOpenState);
    }

    private <T> T read(Function<ResilienceProcessor, T> attribute, T none) {
        return breakers.breaker(pipeline).map(attribute).orElse(none);
    }

    private void act(Consumer<ResilienceProcessor> operation) {
        ResilienceProcessor breaker = breakers.breaker(pipeline)
                .orElseThrow(() -> new IllegalStateException(pipeline + " has no route with a circuit breaker now"));
        if (breaker.getCircuitBreaker() == null) {
            throw new IllegalStateException("the circuit breaker of " + pipeline + " is not started (its route is stopped)");
        }
        operation.accept(breaker);
    }
}
