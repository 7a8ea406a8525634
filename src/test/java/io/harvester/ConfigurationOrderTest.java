package io.harvester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;

import io.harvester.runs.api.RunControlConfiguration;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/**
 * The daemon's configurations come in one list, and a configuration listed before the one binding a bean it
 * builds on stops start-up naming that bean (every daemon a test starts configures the list as it is).
 */
class ConfigurationOrderTest {

    @Test
    void should_configure_the_daemon_from_the_one_list_each_configuration_once() {
        List<String> configured = Stream.of(Harvester.create().configure().getConfigurationClasses().split(","))
                .map(String::strip).toList();

        assertThat(configured).containsExactlyElementsOf(Harvester.CONFIGURATIONS.stream().map(Class::getName).toList())
                .doesNotHaveDuplicates();
    }

    @Test
    void should_name_the_bean_a_configuration_listed_too_early_lacks() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            assertThatThrownBy(() -> new RunControlConfiguration().configure(context)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("RunControlConfiguration needs the RunLifecycle bean and none is bound yet: it must come"
                            + " after the configuration binding it in Harvester's list of configurations");
        }
    }
}
