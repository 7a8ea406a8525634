package io.harvester.api;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.http.HttpFailures;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bean {@code apiResponse}: every /api answer is JSON, and carries no header of the request (the
 * inbound Authorization header above all) back to the caller.
 */
public final class ApiResponse {

    private static final Logger LOG = LoggerFactory.getLogger(ApiResponse.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The body as JSON with {@code status}. */
    public void reply(Exchange exchange, int status) {
        write(exchange, status, exchange.getMessage().getBody());
    }

    /** The exception the route caught, as {@code {"error", "field"}}: an {@link ApiError} with its status, anything else 500. */
    public void error(Exchange exchange) {
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Map<String, Object> body = new LinkedHashMap<>();
        int status = 500;
        int retryAfter = 0;
        if (caught instanceof ApiError refused) {
            retryAfter = refused.retryAfterSeconds();
            status = refused.status();
            body.put("error", refused.getMessage());
            if (refused.field() != null) {
                body.put("field", refused.field());
            }
        } else {
            LOG.error("{} {} failed", exchange.getMessage().getHeader(Exchange.HTTP_METHOD),
                    exchange.getMessage().getHeader(Exchange.HTTP_PATH), caught);
            body.put("error", "internal error: " + (caught == null ? "unknown" : HttpFailures.describe(caught)));
        }
        write(exchange, status, body);
        if (retryAfter > 0) {
            exchange.getMessage().setHeader("Retry-After", retryAfter);
        }
    }

    private static void write(Exchange exchange, int status, Object body) {
        String json;
        try {
            json = JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("answer not representable as JSON", e);
        }
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(json);
    }
}
