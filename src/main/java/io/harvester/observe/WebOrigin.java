package io.harvester.observe;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import io.vertx.core.net.HostAndPort;

/**
 * Where a web page comes from, as a browser names it: scheme, host and port, the whole of an {@code Origin}
 * header and the start of a {@code Referer}.
 */
record WebOrigin(String scheme, String host, int port) {

    static final String ALLOWED_ORIGINS = "harvester.jolokia.allowed-origins";

    /**
     * The origin of an {@code Origin} or {@code Referer} value; empty for {@code null} and anything not http(s).
     * Only scheme://authority is parsed: browsers leave characters such as {@code | ^ [ ] { }} unescaped in
     * the path and query of a Referer, which java.net.URI refuses.
     */
    static Optional<WebOrigin> of(String url) {
        String value = url.trim();
        int authority = value.indexOf("://");
        if (authority < 0) {
            return Optional.empty();
        }
        int end = authority + 3;
        while (end < value.length() && "/?#".indexOf(value.charAt(end)) < 0) {
            end++;
        }
        try {
            URI uri = new URI(value.substring(0, end));
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                return Optional.empty();
            }
            int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
            return Optional.of(new WebOrigin(scheme, uri.getHost().toLowerCase(Locale.ROOT), port));
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    /**
     * The origins of {@code harvester.jolokia.allowed-origins}, comma-separated; an entry that is not an origin
     * (a path, a query, a wildcard, no scheme) is refused naming it, as the setting would silently let nothing in.
     */
    static Set<WebOrigin> list(String property) {
        Set<WebOrigin> origins = new LinkedHashSet<>();
        for (String entry : property == null ? new String[0] : property.split(",")) {
            String origin = entry.trim();
            if (origin.isEmpty()) {
                continue;
            }
            URI uri;
            try {
                uri = new URI(origin);
            } catch (URISyntaxException e) {
                throw notAnOrigin(origin);
            }
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            if (uri.getRawUserInfo() != null || !(path.isEmpty() || path.equals("/")) || uri.getRawQuery() != null
                    || uri.getRawFragment() != null) {
                throw notAnOrigin(origin);
            }
            origins.add(of(origin).orElseThrow(() -> notAnOrigin(origin)));
        }
        return Set.copyOf(origins);
    }

    /** Whether this is the server a request was sent to (host and port; a server on both http and https is one). */
    boolean isServer(HostAndPort server) {
        if (server == null) {
            return false;
        }
        int serverPort = server.port() >= 0 ? server.port() : 80;
        return host.equalsIgnoreCase(server.host()) && port == serverPort;
    }

    @Override
    public String toString() {
        return scheme + "://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    private static IllegalArgumentException notAnOrigin(String entry) {
        return new IllegalArgumentException(ALLOWED_ORIGINS + ": '" + entry + "' is not an origin; write it as the"
                + " browser's address bar shows the page, scheme://host[:port] (http://localhost:8090), comma-separated");
    }
}
