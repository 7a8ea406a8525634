package io.harvester.trigger;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.RouteBuilderLifecycleStrategy;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RoutesDefinition;

/**
 * Gives every pipeline route (one from {@code trigger:}) the shared error handling of pipelines
 * ({@code routeConfigurationId: harvester-pipeline}, routes/harvester-pipeline.camel.yaml) when the route
 * names no route configuration itself: a route author need not remember it. A route that names others is
 * left as written, and the trigger refuses it unless harvester-pipeline is among them.
 * <p>
 * Camel merges a route's configurations into it while its builder prepares it, right after the route file
 * is read; this runs for every route builder (Camel finds it in the registry) after that, and prepares the
 * route once more with the configuration named. A second preparation would add a file's own
 * {@code onException}, {@code intercept}, {@code interceptFrom}, {@code interceptSendToEndpoint} or
 * {@code onCompletion} to the route again, and keep id-less (global) route configurations the first one
 * applied: in such a file, or beside a global configuration, a route is left as written, and one that
 * names no configuration is refused at start-up as before. Routes made from route templates name their
 * configuration in the template.
 */
final class SharedErrorHandling implements RouteBuilderLifecycleStrategy {

    @Override
    public void afterConfigure(RouteBuilder builder) {
        RoutesDefinition routes = builder.getRouteCollection();
        if (!safeToPrepareAgain(routes, builder.getContext())) {
            return;
        }
        for (RouteDefinition route : routes.getRoutes()) {
            String from = route.getInput() == null ? null : route.getInput().getEndpointUri();
            if (from != null && from.startsWith(TriggerComponent.SCHEME + ":")
                    && (route.getRouteConfigurationId() == null || route.getRouteConfigurationId().isBlank())) {
                route.setRouteConfigurationId(TriggerConsumer.PIPELINE_CONFIGURATION);
                route.markUnprepared();
                routes.prepareRoute(route);
            }
        }
    }

    /** Whether preparing a route of this file again adds nothing but the configuration named. */
    private static boolean safeToPrepareAgain(RoutesDefinition routes, CamelContext context) {
        boolean fileWide = !routes.getOnExceptions().isEmpty() || !routes.getIntercepts().isEmpty()
                || !routes.getInterceptFroms().isEmpty() || !routes.getInterceptSendTos().isEmpty()
                || !routes.getOnCompletions().isEmpty();
        boolean global = context instanceof ModelCamelContext model && model.getRouteConfigurationDefinitions().stream()
                .anyMatch(configuration -> configuration.getId() == null || configuration.getId().isBlank());
        return !fileWide && !global;
    }
}
