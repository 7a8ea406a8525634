package io.harvester.infra;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * Names this Harvester instance in {@code runs.owner}: the host plus the working directory, so a
 * restarted process recognises the runs its killed predecessor left behind. Override with
 * {@code HARVESTER_INSTANCE_ID}.
 */
public final class InstanceId {

    private InstanceId() {
    }

    /**
     * What this instance's database connections call themselves ({@code pg_stat_activity.application_name}),
     * so another instance that finds this one dead can cancel the statements it left running.
     */
    public static String applicationName(String instance) {
        // a hash keeps two ids that share their first 50 characters apart; PostgreSQL keeps 63 bytes
        String hash = String.format("%08x", instance.hashCode());
        String readable = instance.replaceAll("[^\\x20-\\x7e]|[;=]", "_");
        String name = "harvester " + hash + " " + readable;
        return name.length() > 63 ? name.substring(0, 63) : name;
    }

    /** This machine's name, as the instance id uses it by default; resolved once (a lookup may wait on DNS). */
    public static String host() {
        return Host.NAME;
    }

    private static final class Host {
        private static final String NAME = resolve();

        private static String resolve() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                return "localhost";
            }
        }
    }

    public static String get() {
        String configured = System.getenv("HARVESTER_INSTANCE_ID");
        if (configured == null || configured.isBlank()) {
            configured = System.getProperty("harvester.instance-id");
        }
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        return host() + ":" + Path.of("").toAbsolutePath();
    }
}
