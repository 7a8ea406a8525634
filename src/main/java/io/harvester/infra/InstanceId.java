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

    public static String get() {
        String configured = System.getenv("HARVESTER_INSTANCE_ID");
        if (configured == null || configured.isBlank()) {
            configured = System.getProperty("harvester.instance-id");
        }
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + ":" + Path.of("").toAbsolutePath();
    }
}
