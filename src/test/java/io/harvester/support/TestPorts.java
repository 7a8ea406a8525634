package io.harvester.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ports for what tests start later (daemon processes, a Hawtio, a Redis) or want closed, chosen below the ephemeral
 * range (32768 and up on Linux). A port the kernel
 * handed out as free is also one it hands to the next outgoing connection: while a daemon process starts, seconds
 * later, a connection of another test JVM had taken it once ("port 42547 ... is in use by another process"). Each
 * test JVM has a range of its own (by its fork number), and each port is checked free before it is given.
 */
public final class TestPorts {

    private static final int FIRST = 20_000;
    private static final int PER_JVM = 1_500;
    private static final int BASE = FIRST + slot() * PER_JVM;
    private static final AtomicInteger NEXT = new AtomicInteger();

    private TestPorts() {
    }

    /** A port nothing listens on now, on any address (daemons bind 0.0.0.0). */
    public static int next() {
        for (int tries = 0; tries < PER_JVM; tries++) {
            int port = BASE + Math.floorMod(NEXT.getAndIncrement(), PER_JVM);
            if (free(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port in " + BASE + " to " + (BASE + PER_JVM - 1));
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException inUse) {
            return false;
        }
    }

    /** Slots 0 to 6 for the Surefire and Failsafe forks (their storage folder ends in fork-N), 7 for any other JVM. */
    private static int slot() {
        Matcher fork = Pattern.compile("fork-(\\d+)$").matcher(System.getProperty("harvester.test.storage-dir", ""));
        return fork.find() ? Integer.parseInt(fork.group(1)) % 7 : 7;
    }
}
