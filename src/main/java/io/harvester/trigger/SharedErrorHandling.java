package io.harvester.trigger;

import org.apache.camel.model.ModelLifecycleStrategySupport;
import org.apache.camel.model.RouteDefinition;

/**
 * Gives every pipeline route (one from {@code trigger:}) the shared error handling of its kind
 * ({@code routeConfigurationId: harvester-pipeline}, routes/harvester-pipeline.camel.yaml) when the route
 * names no route configuration itself: a route author need not remember it. A route that names others is
 * left as written, and the trigger refuses it unless harvester-pipeline is among them.
 */
final class SharedErrorHandling extends ModelLifecycleStrategySupport {

    @Override
    public void onAddRouteDefinition(RouteDefinition route) {
        String from = route.getInput() == null ? null : route.getInput().getEndpointUri();
        if (from != null && from.startsWith(TriggerComponent.SCHEME + ":")
                && (route.getRouteConfigurationId() == null || route.getRouteConfigurationId().isBlank())) {
            route.setRouteConfigurationId(TriggerConsumer.PIPELINE_CONFIGURATION);
        }
    }
}
