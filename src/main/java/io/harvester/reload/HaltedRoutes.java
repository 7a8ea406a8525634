package io.harvester.reload;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A route an operator stopped or suspended (JMX, Camel CLI) before the edit is stopped or suspended
 * again once loaded anew: an edit must not start what was deliberately halted.
 */
final class HaltedRoutes {

    /** The swap's lines carry one name, as they did before it was split in stages. */
    private static final Logger LOG = LoggerFactory.getLogger(RouteSwap.class);

    private final CamelContext context;
    /** The routes' statuses before the edit. */
    private final Map<String, ServiceStatus> statuses = new LinkedHashMap<>();

    private HaltedRoutes(CamelContext context) {
        this.context = context;
    }

    /** Takes note of the routes' statuses before the edit. */
    static HaltedRoutes before(CamelContext context, Set<String> routeIds) {
        HaltedRoutes halted = new HaltedRoutes(context);
        for (String id : routeIds) {
            ServiceStatus status = context.getRouteController().getRouteStatus(id);
            if (status != null) {
                halted.statuses.put(id, status);
            }
        }
        return halted;
    }

    /** Stops or suspends again the routes, loaded anew by the edit of {@code file}, that were so before. */
    void haltAgain(Path file) throws Exception {
        for (Map.Entry<String, ServiceStatus> entry : statuses.entrySet()) {
            String id = entry.getKey();
            if (context.getRoute(id) == null) {
                continue;
            }
            if (entry.getValue().isStopped()) {
                context.getRouteController().stopRoute(id);
                LOG.info("Route {} was stopped before the edit of {}: stopped again", id, FileNames.display(file));
            } else if (entry.getValue().isSuspended()) {
                context.getRouteController().suspendRoute(id);
                LOG.info("Route {} was suspended before the edit of {}: suspended again", id, FileNames.display(file));
            }
        }
    }
}
