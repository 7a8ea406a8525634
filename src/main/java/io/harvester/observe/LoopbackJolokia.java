package io.harvester.observe;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
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
 * {@code Host} (DNS rebinding), or whose {@code Origin} or {@code Referer} shows a site other than this
 * server and {@code harvester.jolokia.allowed-origins} (an {@code Origin} of {@code null} included), or that
 * the browser marks cross-site ({@code Sec-Fetch-Site}). A standalone Hawtio's proxy forwards its page's
 * headers as the browser sent them (same-origin, to Hawtio): naming Hawtio's origin is how it gets in;</li>
 * <li>GET may only read ({@code read}, {@code list}, {@code search}, {@code version}): a cross-site GET
 * can be sent without Origin and Referer, so anything that acts goes by POST.</li>
 * </ul>
 */
public class LoopbackJolokia extends DefaultJolokiaPlatformHttpPlugin {

    private static final Logger LOG = LoggerFactory.getLogger(LoopbackJolokia.class);
    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]", "::1");
    private static final Set<String> GET_COMMANDS = Set.of("", "read", "list", "search", "version");

    private boolean allowRemote;
    private Set<WebOrigin> allowedOrigins = Set.of();

    public void setAllowRemote(boolean allowRemote) {
        this.allowRemote = allowRemote;
    }

    /** Comma-separated origins ({@code http://localhost:8090}) whose pages may call, as this server's own may. */
    public void setAllowedOrigins(String allowedOrigins) {
        this.allowedOrigins = WebOrigin.list(allowedOrigins);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Object getHandler() {
        Handler<RoutingContext> jolokia = (Handler<RoutingContext>) super.getHandler();
        return (Handler<RoutingContext>) context -> {
            String refusal = refusal(context.request(), Utils.pathOffset(context.request().path(), context));
            if (refusal == null) {
                if (isFromAllowedPage(context.request())) {
                    // judged here already; Jolokia would refuse (500) an https page calling over plain http, which
                    // is what the proxy of a Hawtio served over TLS does
                    context.request().headers().remove(HttpHeaders.ORIGIN).remove(HttpHeaders.REFERER);
                }
                jolokia.handle(context);
                return;
            }
            LOG.warn("Jolokia request from {} refused: {}", peer(context.request()), refusal);
            context.response().setStatusCode(403).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(new JsonObject().put("status", 403).put("error", refusal).encode());
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
        // a browser says where a request comes from: only a page of this very server or of an allowed origin
        // may send it, remote or not (a page cannot choose its Origin or Referer, only leave the Referer out)
        for (String header : new String[] {"Origin", "Referer"}) {
            String value = request.getHeader(header);
            if (value == null) {
                continue;
            }
            // "null" is what a sandboxed page or a no-referrer POST sends: a page of another site
            Optional<WebOrigin> page = WebOrigin.of(value);
            if (page.isPresent() && (page.get().isServer(request.authority()) || allowedOrigins.contains(page.get()))) {
                continue;
            }
            return "requests from web pages of other sites are refused (" + header
                    + page.map(origin -> " " + origin + " is not in " + WebOrigin.ALLOWED_ORIGINS).orElse("") + ")";
        }
        // an allowed page comes through its own server's proxy, for which the browser says same-origin
        String site = request.getHeader("Sec-Fetch-Site");
        if (site != null && !"same-origin".equals(site) && !"none".equals(site)) {
            return "requests from web pages of other sites are refused (Sec-Fetch-Site " + site + ")";
        }
        String host = request.authority() == null ? null : request.authority().host();
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

    private boolean isFromAllowedPage(HttpServerRequest request) {
        return Stream.of(request.getHeader(HttpHeaders.ORIGIN), request.getHeader(HttpHeaders.REFERER))
                .filter(Objects::nonNull).map(WebOrigin::of).flatMap(Optional::stream).anyMatch(allowedOrigins::contains);
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
