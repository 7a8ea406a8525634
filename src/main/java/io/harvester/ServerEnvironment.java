package io.harvester;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Environment variables for the HTTP servers' settings ({@code CAMEL_SERVER_PORT=9090} for
 * {@code camel.server.port}). camel-main reads environment variables into its configuration one
 * section at a time and, in 4.17, not for {@code camel.server.*} and {@code camel.management.*}: the
 * placeholders saw the variable while the server kept the file's port. A {@code -Dkey} still wins,
 * as JVM properties win over the environment everywhere else in Camel.
 */
final class ServerEnvironment {

    private static final String[] PREFIXES = {"CAMEL_SERVER_", "CAMEL_MANAGEMENT_"};

    private ServerEnvironment() {
    }

    /** The settings the environment gives for the two servers, as property keys, less those set with -D. */
    static Map<String, String> overrides(Map<String, String> environment, Properties system) {
        Map<String, String> overrides = new TreeMap<>();
        environment.forEach((name, value) -> {
            for (String prefix : PREFIXES) {
                if (name.startsWith(prefix) && name.length() > prefix.length()) {
                    String key = name.toLowerCase(Locale.ROOT).replace('_', '.');
                    if (system.getProperty(key) == null) {
                        overrides.put(key, value);
                    }
                }
            }
        });
        return overrides;
    }
}
