package io.harvester.observe;

import java.net.InetAddress;
import java.net.UnknownHostException;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.component.platform.http.plugin.DefaultJolokiaPlatformHttpPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jolokia at {@code /observe/jolokia} (bean {@code jolokia}, which camel-main's management server takes
 * instead of its own), answering only clients on this machine unless {@code harvester.jolokia.allow-remote}.
 * What a client may do is the shipped policy's say ({@code jolokia-access.xml}): reads, route control and
 * Harvester's own operations. The check sits in the handler itself, so no request is ever served before it.
 */
public class LoopbackJolokia extends DefaultJolokiaPlatformHttpPlugin {

    private static final Logger LOG = LoggerFactory.getLogger(LoopbackJolokia.class);
    private static final String REFUSED = "{\"status\":403,\"error\":\"Jolokia answers clients on this machine only"
            + " (harvester.jolokia.allow-remote=false)\"}";

    private boolean allowRemote;

    public void setAllowRemote(boolean allowRemote) {
        this.allowRemote = allowRemote;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Object getHandler() {
        Handler<RoutingContext> jolokia = (Handler<RoutingContext>) super.getHandler();
        return (Handler<RoutingContext>) request -> {
            String client = request.request().remoteAddress() == null ? null : request.request().remoteAddress().host();
            if (allowRemote || isLoopback(client)) {
                jolokia.handle(request);
                return;
            }
            LOG.warn("Jolokia request from {} refused: only clients on this machine are answered", client);
            request.response().setStatusCode(403).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(REFUSED);
        };
    }

    static boolean isLoopback(String address) {
        if (address == null || !(address.matches("[0-9.]+") || address.contains(":"))) {
            return false; // not an IP literal: never resolved, never trusted
        }
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
