package io.harvester;

import java.util.Optional;

/**
 * Where configuration comes from, highest precedence first: system properties and environment (Camel
 * applies those over any file), then {@code application-<profile>.properties} and
 * {@code application.properties} in the working directory, then the copies packed in the jar.
 * <p>
 * Camel adds profile files only from the classpath; users edit the files next to the jar, so the
 * list is spelled out here.
 */
public final class ConfigLocations {

    static final String DEFAULT_PROFILE = "dev";

    private ConfigLocations() {
    }

    public static String activeProfile() {
        return Optional.ofNullable(System.getProperty("camel.main.profile"))
                .or(() -> Optional.ofNullable(System.getenv("CAMEL_MAIN_PROFILE")))
                .filter(p -> !p.isBlank())
                .orElse(DEFAULT_PROFILE);
    }

    public static String forProfile(String profile) {
        return String.join(",",
                "file:application-" + profile + ".properties;optional=true",
                "file:application.properties;optional=true",
                "classpath:application-" + profile + ".properties;optional=true",
                "classpath:application.properties;optional=true");
    }
}
