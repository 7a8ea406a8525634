package io.harvester.observe;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.component.platform.http.plugin.DefaultJolokiaPlatformHttpPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jolokia at {@code /observe/jolokia} (bean {@code jolokia}, which camel-main's management server takes
 * instead of its own). What a client may do is the shipped policy's say ({@code jolokia-access.xml}):
 * reads, route control and Harvester's own operations. Who may ask is checked here, in the handler itself,
 * so no request is ever served before the check:
 * <ul>
 * <li>a client on another machine is refused, unless {@code harvester.jolokia.allow-remote};</li>
 * <li>so is a web page in a browser on this machine: a request naming a foreign {@code Host} (DNS
 * rebinding) or carrying a foreign {@code Origin} or {@code Referer} (a cross-site POST);</li>
 * <li>GET may only read ({@code read}, {@code list}, {@code search}, {@code version}): a cross-site GET
 * can be sent without Origin and Referer, so anything that acts goes by POST.</li>
 * </ul>
 */
public class LoopbackJolokia extends DefaultJolokiaPlatformHttpPlugin {

    private static final Logger LOG = LoggerFactory.getLogger(LoopbackJolokia.class);
    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]", "::1");
    private static final Set<String> GET_COMMANDS = Set.of("", "read", "list", "search", "version");

    private boolean allowRemote;

    public void setAllowRemote(boolean allowRemote) {
        this.allowRemote = allowRemote;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Object getHandler() {
        Handler<RoutingContext> jolokia = (Handler<RoutingContext>) super.getHandler();
        return (Handler<RoutingContext>) context -> {
            String refusal = refusal(context.request());
            if (refusal == null) {
                jolokia.handle(context);
                return;
            }
            LOG.warn("Jolokia request from {} refused: {}", peer(context.request()), refusal);
            context.response().setStatusCode(403).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end("{\"status\":403,\"error\":\"" + refusal + "\"}");
        };
    }

    /** Why a request is refused; null when it may go to Jolokia. */
    String refusal(HttpServerRequest request) {
        if (request.method() == HttpMethod.GET && !GET_COMMANDS.contains(getCommand(request))) {
            return "GET only reads; send other requests by POST";
        }
        if (allowRemote) {
            return null;
        }
        if (!isLoopback(peer(request))) {
            return "Jolokia answers clients on this machine only (harvester.jolokia.allow-remote=false)";
        }
        // the Host header (or HTTP/2's :authority) without its port
        String host = request.authority() == null ? null : request.authority().host();
        if (host == null || !LOOPBACK_NAMES.contains(host.toLowerCase(Locale.ROOT))) {
            return "Jolokia answers requests to localhost only, not to host " + host;
        }
        for (CharSequence header : new CharSequence[] {HttpHeaders.ORIGIN, HttpHeaders.REFERER}) {
            String value = request.getHeader(header);
            if (value != null && !value.isEmpty() && !"null".equals(value) && !isLoopbackUrl(value)) {
                return "requests from web pages of other sites are refused (" + header + ")";
            }
        }
        return null;
    }

    /** The command of a GET: the first path segment after the mount point, or of its {@code p} parameter. */
    private static String getCommand(HttpServerRequest request) {
        String path = request.getParam("p") != null ? request.getParam("p") : request.path();
        int mount = path.indexOf("/jolokia");
        String rest = mount >= 0 ? path.substring(mount + "/jolokia".length()) : path;
        rest = rest.startsWith("/") ? rest.substring(1) : rest;
        int slash = rest.indexOf('/');
        return (slash < 0 ? rest : rest.substring(0, slash)).toLowerCase(Locale.ROOT);
    }

    private static String peer(HttpServerRequest request) {
        return request.remoteAddress() == null ? null : request.remoteAddress().host();
    }

    private static boolean isLoopbackUrl(String url) {
        try {
            String host = URI.create(url.trim()).getHost();
            return host != null && (LOOPBACK_NAMES.contains(host.toLowerCase(Locale.ROOT)) || isLoopback(host));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static boolean isLoopback(String address) {
        if (address == null || !(address.matches("[0-9.]+") || address.contains(":"))) {
            return false; // not an IP literal: never resolved, never trusted
        }
        try {
            return InetAddress.getByName(address.replace("[", "").replace("]", "")).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
