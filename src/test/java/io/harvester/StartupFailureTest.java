package io.harvester;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.apache.camel.FailedToCreateRouteException;
import org.junit.jupiter.api.Test;

/** A refused start-up names the route file of the route at fault, whoever named the route. */
class StartupFailureTest {

    private static final Map<String, String> FILES = Map.of("export-orders", "routes/exports.camel.yaml");

    @Test
    void should_put_the_file_of_the_route_camel_refused_in_front() {
        Throwable refused = new FailedToCreateRouteException("export-orders", "route", "location",
                new IllegalArgumentException("pageSize must be at least 1"));

        assertThat(StartupFailure.describe(refused, FILES))
                .isEqualTo("routes/exports.camel.yaml: route export-orders: pageSize must be at least 1");
    }

    @Test
    void should_find_the_route_our_own_checks_named_in_their_message() {
        Throwable refused = new IllegalStateException("job steps are missing (route export-orders)");

        assertThat(StartupFailure.describe(refused, FILES))
                .isEqualTo("routes/exports.camel.yaml: route export-orders: job steps are missing (route export-orders)");
        assertThat(StartupFailure.describe(refused, Map.of())).isEqualTo("job steps are missing (route export-orders)");
    }
}
