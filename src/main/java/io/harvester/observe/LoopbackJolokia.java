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
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.impl.Utils;
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
 * <li>so is a web page of another site in a browser, remote or not: a request naming a foreign
 * {@code Host} (DNS rebinding), or whose {@code Origin}, {@code Referer} or {@code Sec-Fetch-Site} shows
 * another site (an {@code Origin} of {@code null} included);</li>
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
            String refusal = refusal(context.request(), Utils.pathOffset(context.request().path(), context));
            if (refusal == null) {
                jolokia.handle(context);
                return;
            }
            LOG.warn("Jolokia request from {} refused: {}", peer(context.request()), refusal);
            context.response().setStatusCode(403).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end("{\"status\":403,\"error\":\"" + refusal + "\"}");
        };
    }

    /**
     * Why a request is refused; null when it may go to Jolokia. {@code path} is the path after the mount
     * point, which Jolokia reads as its command (its {@code p} parameter only when that path is empty).
     */
    String refusal(HttpServerRequest request, String path) {
        if (request.method() == HttpMethod.GET && !GET_COMMANDS.contains(command(request, path))) {
            return "GET only reads; send other requests by POST";
        }
        // a browser says where a request comes from: only a page of this very server may send it, remote or not
        String site = request.getHeader("Sec-Fetch-Site");
        if (site != null && !"same-origin".equals(site) && !"none".equals(site)) {
            return "requests from web pages of other sites are refused (Sec-Fetch-Site " + site + ")";
        }
        String host = request.authority() == null ? null : request.authority().host();
        for (CharSequence header : new CharSequence[] {HttpHeaders.ORIGIN, HttpHeaders.REFERER}) {
            String value = request.getHeader(header);
            // "null" is what a sandboxed page or a no-referrer POST sends: a page of another site
            if (value != null && !isSameOrigin(value, request.authority())) {
                return "requests from web pages of other sites are refused (" + header + ")";
            }
        }
        if (allowRemote) {
            return null;
        }
        if (!isLoopback(peer(request))) {
            return "Jolokia answers clients on this machine only (harvester.jolokia.allow-remote=false)";
        }
        // the Host header (or HTTP/2's :authority) without its port: a foreign name is DNS rebinding
        if (host == null || !LOOPBACK_NAMES.contains(host.toLowerCase(Locale.ROOT))) {
            return "Jolokia answers requests to localhost only, not to host " + host;
        }
        return null;
    }

    /** Jolokia's command: the first segment of the path after the mount point, or of {@code p} when that is empty. */
    private static String command(HttpServerRequest request, String path) {
        String rest = path == null ? "" : path.replaceFirst("^/+", "");
        if (rest.isEmpty() && request.getParam("p") != null) {
            rest = request.getParam("p").replaceFirst("^/+", "");
        }
        int slash = rest.indexOf('/');
        return (slash < 0 ? rest : rest.substring(0, slash)).toLowerCase(Locale.ROOT);
    }

    private static String peer(HttpServerRequest request) {
        return request.remoteAddress() == null ? null : request.remoteAddress().host();
    }

    /** Whether an Origin or Referer is this server itself: the host and port the request was sent to. */
    private static boolean isSameOrigin(String url, HostAndPort server) {
        if (server == null) {
            return false;
        }
        try {
            URI from = URI.create(url.trim());
            int port = from.getPort() >= 0 ? from.getPort() : "https".equalsIgnoreCase(from.getScheme()) ? 443 : 80;
            int serverPort = server.port() >= 0 ? server.port() : 80;
            return from.getHost() != null && from.getHost().equalsIgnoreCase(server.host()) && port == serverPort;
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
