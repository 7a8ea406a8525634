package io.harvester.http;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses the {@code headers} parameter of a pipeline: {@code Name: value} entries separated by
 * {@code ;} or new lines, e.g. {@code Authorization: Bearer {{env:ORDERS_TOKEN}}; Accept: application/json}.
 * Values are secrets as often as not; {@link #toString()} shows names only.
 */
public final class RequestHeaders {

    private final Map<String, String> values;

    private RequestHeaders(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    public static RequestHeaders parse(String spec) {
        Map<String, String> values = new LinkedHashMap<>();
        if (spec != null) {
            for (String entry : spec.split("[;\\n]")) {
                if (entry.isBlank()) {
                    continue;
                }
                int colon = entry.indexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException("headers entry '" + entry.split(":")[0].strip()
                            + "' is not 'Name: value'");
                }
                values.put(entry.substring(0, colon).strip(), entry.substring(colon + 1).strip());
            }
        }
        return new RequestHeaders(values);
    }

    public Map<String, String> values() {
        return values;
    }

    @Override
    public String toString() {
        return "headers " + values.keySet();
    }
}
