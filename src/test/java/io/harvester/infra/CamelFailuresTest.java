package io.harvester.infra;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.PropertyBindingException;
import org.apache.camel.RuntimeCamelException;
import org.junit.jupiter.api.Test;

/** Camel's layers around a refusal are dropped: what is left names the route, the value and the reason. */
class CamelFailuresTest {

    @Test
    void should_name_the_route_the_parameter_and_the_innermost_reason() {
        Throwable refused = new FailedToCreateRouteException("export-orders", "route", "location",
                new RuntimeCamelException("Cannot create bean", new PropertyBindingException("bean", "pageSize", "0",
                        new IllegalArgumentException("export:orders: pageSize must be at least 1,\n   was 0"))));

        assertThat(CamelFailures.describe(refused))
                .isEqualTo("route export-orders: parameter pageSize = '0': export:orders: pageSize must be at least 1, was 0");
    }

    @Test
    void should_name_the_innermost_exception_when_no_message_says_more() {
        Throwable refused = new RuntimeCamelException(new java.net.ConnectException("Connection refused"));

        assertThat(CamelFailures.describe(refused)).isEqualTo("ConnectException: Connection refused");
    }
}
