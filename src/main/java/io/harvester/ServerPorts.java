package io.harvester;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;

/**
 * Refuses to start when the HTTP port is taken. Vert.x only logs a failed bind and Camel carries on,
 * so a daemon would run with no API while advertising the other process's port.
 */
public class ServerPorts implements CamelConfiguration {

    @PropertyInject("camel.server.enabled")
    private boolean serverEnabled;
    @PropertyInject("camel.server.host")
    private String serverHost;
    @PropertyInject("camel.server.port")
    private int serverPort;
    @PropertyInject("camel.management.enabled")
    private boolean managementEnabled;
    @PropertyInject("camel.management.host")
    private String managementHost;
    @PropertyInject("camel.management.port")
    private int managementPort;

    @Override
    public void configure(CamelContext context) {
        if (serverEnabled) {
            requireFree("camel.server.port", serverHost, serverPort);
        }
        if (managementEnabled && managementPort != serverPort) {
            requireFree("camel.management.port", managementHost, managementPort);
        }
    }

    static void requireFree(String property, String host, int port) {
        if (port <= 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " on " + host + " (" + property + ") is in use by another"
                    + " process: " + e.getMessage(), e);
        }
    }
}
