package io.harvester.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import org.apache.camel.Exchange;

/**
 * Bean {@code apiToken}: every /api request must carry {@code Authorization: Bearer <token>}
 * ({@code HARVESTER_API_TOKEN}). Compared in constant time, on digests, so neither the content nor the
 * length of the token leaks through timing. With no token configured the API refuses every request.
 */
public final class ApiToken {

    private static final String BEARER = "Bearer ";
    private final byte[] expected;

    public ApiToken(String token) {
        this.expected = token == null || token.isBlank() ? null : digest(token.strip());
    }

    public boolean configured() {
        return expected != null;
    }

    /** Passes an authorised request; anything else is a 401. */
    public void check(Exchange exchange) {
        String refusal = refusal(exchange.getMessage().getHeader("Authorization", String.class));
        if (refusal != null) {
            throw new ApiError(401, refusal, null);
        }
    }

    /** Why a request with this {@code Authorization} header is refused; null when it may pass. */
    public String refusal(String authorization) {
        if (expected == null) {
            return "the API is closed: no API token is configured (HARVESTER_API_TOKEN)";
        }
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return "missing API token: send Authorization: Bearer <token>";
        }
        if (!MessageDigest.isEqual(expected, digest(authorization.substring(BEARER.length()).strip()))) {
            return "wrong API token";
        }
        return null;
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
