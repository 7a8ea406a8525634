package io.harvester.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Appends query parameters to a URL that may already have some. */
public final class QueryStrings {

    private QueryStrings() {
    }

    public static String append(String url, String name, Object value) {
        String separator = url.contains("?") ? (url.endsWith("?") || url.endsWith("&") ? "" : "&") : "?";
        return url + separator + URLEncoder.encode(name, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(String.valueOf(value), StandardCharsets.UTF_8);
    }
}
