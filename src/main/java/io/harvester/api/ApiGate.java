package io.harvester.api;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * The first handler of every request on the HTTP server, before any body is read: no client can make the
 * daemon hold bodies it will refuse anyway.
 * <ul>
 * <li>Under /api the token is checked from the headers: 401 at once; the body that follows is dropped as
 * it arrives, never held.</li>
 * <li>Bodies in flight, on every path, share a budget ({@code harvester.api.in-flight-bytes}): a request
 * whose declared length (or, sent in chunks or over HTTP/2 without a length, {@code camel.server.max-body-size})
 * does not fit in what is left is answered 503 with Retry-After. A body must arrive within
 * {@code harvester.api.body-timeout-ms}, or its connection is closed: a client that sent its headers and
 * vanished gives its share back. Each body is bounded by {@code camel.server.max-body-size} as well (413,
 * by the server's body handler).</li>
 * </ul>
 */
public final class ApiGate implements Handler<RoutingContext> {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int RETRY_AFTER_SECONDS = 1;

    private final ApiToken token;
    private final long budget;
    private final long maxBodySize;
    private final long bodyTimeoutMs;
    private final AtomicLong inFlight = new AtomicLong();

    public ApiGate(ApiToken token, long budget, long maxBodySize, long bodyTimeoutMs) {
        if (budget < maxBodySize) {
            throw new IllegalArgumentException("harvester.api.in-flight-bytes = " + budget
                    + ": at least camel.server.max-body-size (" + maxBodySize + "), or no body of the largest size could pass");
        }
        this.token = token;
        this.budget = budget;
        this.maxBodySize = maxBodySize;
        this.bodyTimeoutMs = bodyTimeoutMs;
    }

    @Override
    public void handle(RoutingContext context) {
        String path = context.request().path();
        String refusal = path != null && (path.equals("/api") || path.startsWith("/api/"))
                ? token.refusal(context.request().getHeader(HttpHeaders.AUTHORIZATION)) : null;
        if (refusal != null) {
            refuse(context, 401, refusal);
            return;
        }
        long size = Math.min(declaredSize(context), maxBodySize);
        if (size > 0) {
            if (!reserve(size)) {
                context.response().putHeader("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
                refuse(context, 503, "the server is reading " + budget + " bytes of request bodies already"
                        + " (harvester.api.in-flight-bytes): send again later");
                return;
            }
            long deadline = context.vertx().setTimer(bodyTimeoutMs, fired -> {
                if (!context.request().isEnded()) {
                    context.request().connection().close();
                }
            });
            context.addEndHandler(done -> {
                context.vertx().cancelTimer(deadline);
                inFlight.addAndGet(-size);
            });
        }
        context.next();
    }

    /** Bytes of bodies being read or handled now. */
    public long inFlight() {
        return inFlight.get();
    }

    private boolean reserve(long size) {
        while (true) {
            long now = inFlight.get();
            if (now + size > budget) {
                return false;
            }
            if (inFlight.compareAndSet(now, now + size)) {
                return true;
            }
        }
    }

    /**
     * What the body may hold: its Content-Length; the largest body when sent in chunks, or over HTTP/2
     * without a length by a method that carries one (POST, PUT, PATCH); 0 when there is none. (An HTTP/2
     * GET is not yet ended when its headers are handled: judged by its end, every GET of an h2c client
     * such as Java's HttpClient took a whole body's share.)
     */
    private long declaredSize(RoutingContext context) {
        String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            try {
                return Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                return maxBodySize;
            }
        }
        HttpMethod method = context.request().method();
        boolean moreToCome = context.request().getHeader(HttpHeaders.TRANSFER_ENCODING) != null
                || context.request().version() == HttpVersion.HTTP_2 && !context.request().isEnded()
                        && (method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH);
        return moreToCome ? maxBodySize : 0;
    }

    private static void refuse(RoutingContext context, int status, String message) {
        String body;
        try {
            body = JSON.writeValueAsString(Map.of("error", message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("answer not representable as JSON", e);
        }
        // the body that may follow is let through and dropped, never kept; the connection ends with the request
        context.request().handler(dropped -> { }).resume();
        context.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONNECTION, "close").end(body);
    }
}
