package io.harvester.observe;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * A pipeline's circuit breaker as a health check ({@code breaker:export:<name>}). An open breaker
 * means one upstream API is failing: that pipeline is degraded, the daemon is not down. Camel's checks
 * know only UP and DOWN, so this one is always UP and says "degraded" in its message, with the state
 * in its data ({@code state}, {@code degraded}).
 */
final class BreakerHealthCheck extends AbstractHealthCheck {

    private final PipelineBreakers breakers;
    private final String pipeline;

    BreakerHealthCheck(PipelineBreakers breakers, String pipeline) {
        super("harvester", "breaker:" + pipeline);
        this.breakers = breakers;
        this.pipeline = pipeline;
    }

    /** OPEN and FORCED_OPEN refuse every call; HALF_OPEN lets trial calls through and is not degraded yet. */
    static boolean refusesCalls(String state) {
        return "OPEN".equals(state) || "FORCED_OPEN".equals(state);
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        String state = breakers.state(pipeline);
        boolean degraded = refusesCalls(state);
        builder.up()
                .detail("pipeline", pipeline)
                .detail("state", state == null ? "NOT_STARTED" : state)
                .detail("degraded", degraded)
                .message(degraded ? "degraded: circuit breaker " + state + ", calls to its API are refused"
                        : "circuit breaker " + (state == null ? "not started" : state));
    }
}
