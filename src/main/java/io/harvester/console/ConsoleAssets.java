package io.harvester.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

import org.apache.camel.Exchange;

/**
 * Bean {@code consoleAssets}: the console's static files, from the classpath folder {@code console/}
 * and only the ones named here. (camel-main's own static serving is not used: it also serves any file
 * of the working directory, {@code application.properties} and {@code data/api-token} included.) The
 * page holds no data: everything it shows comes from /api with the token.
 */
public final class ConsoleAssets {

    private static final Map<String, String> TYPES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8");

    /** The asset named by header {@code asset} (the page itself without one); 404 for any other name. */
    public void serve(Exchange exchange) {
        String name = exchange.getMessage().getHeader("asset", "index.html", String.class);
        exchange.getMessage().removeHeaders("*");
        String type = TYPES.get(name);
        if (type == null) {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 404);
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
            exchange.getMessage().setBody("not found");
            return;
        }
        try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream("console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("console asset console/" + name + " is missing from the jar");
            }
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, type);
            exchange.getMessage().setHeader("Cache-Control", "no-cache");
            exchange.getMessage().setBody(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("console/" + name, e);
        }
    }
}
