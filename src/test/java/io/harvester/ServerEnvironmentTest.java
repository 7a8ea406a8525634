package io.harvester;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

/** The servers' settings come from CAMEL_SERVER_* and CAMEL_MANAGEMENT_* variables unless -D gives them. */
class ServerEnvironmentTest {

    @Test
    void should_map_server_variables_to_keys_and_leave_the_rest_and_dash_d_alone() {
        Properties system = new Properties();
        system.setProperty("camel.management.port", "9999");

        Map<String, String> overrides = ServerEnvironment.overrides(Map.of(
                "CAMEL_SERVER_PORT", "9090",
                "CAMEL_SERVER_HOST", "127.0.0.1",
                "CAMEL_MANAGEMENT_PORT", "9091",
                "CAMEL_MAIN_NAME", "other",
                "CAMEL_SERVER_", "nothing",
                "HARVESTER_OUTPUT_DIR", "x"), system);

        assertThat(overrides).containsExactly(Map.entry("camel.server.host", "127.0.0.1"),
                Map.entry("camel.server.port", "9090"));
    }
}
