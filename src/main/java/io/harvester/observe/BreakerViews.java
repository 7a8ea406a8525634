package io.harvester.observe;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.management.ObjectName;

import io.harvester.infra.HarvesterMBeans;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives each pipeline's breaker, while its route exists, a JMX view
 * ({@code io.harvester:type=breaker,kind=<kind>,name="<name>"}) and a health check ({@code breaker:<pipeline>}).
 */
final class BreakerViews implements PipelineBreakers.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(BreakerViews.class);

    private final CamelContext context;
    private final PipelineBreakers breakers;
    private final Map<String, BreakerHealthCheck> checks = new ConcurrentHashMap<>();

    BreakerViews(CamelContext context, PipelineBreakers breakers) {
        this.context = context;
        this.breakers = breakers;
    }

    /** The pipeline MBean's shape ({@code type=<kind>,name="<name>"}), its kind a key of its own beside type=breaker. */
    static ObjectName name(String pipeline) throws Exception {
        int colon = pipeline.indexOf(':');
        return new ObjectName("io.harvester:type=breaker,kind=" + pipeline.substring(0, colon) + ",name="
                + ObjectName.quote(pipeline.substring(colon + 1)));
    }

    @Override
    public void added(String pipeline) {
        try {
            HarvesterMBeans.register(context, new BreakerView(breakers, pipeline), name(pipeline));
        } catch (Exception e) {
            // a view is a convenience: the breaker works without it
            LOG.warn("The JMX view of {}'s circuit breaker was not registered: {}", pipeline, e.getMessage());
        }
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health != null) {
            BreakerHealthCheck check = new BreakerHealthCheck(breakers, pipeline);
            check.setCamelContext(context);
            BreakerHealthCheck before = checks.put(pipeline, check);
            if (before != null) {
                health.unregister(before);
            }
            health.register(check);
        }
    }

    @Override
    public void removed(String pipeline) {
        try {
            HarvesterMBeans.unregister(name(pipeline));
        } catch (Exception e) {
            LOG.warn("The JMX view of {}'s circuit breaker was not unregistered: {}", pipeline, e.getMessage());
        }
        BreakerHealthCheck check = checks.remove(pipeline);
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (check != null && health != null) {
            health.unregister(check);
        }
    }
}
