package io.harvester.infra;

import static io.harvester.http.HttpFailures.find;

import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.FailedToStartRouteException;
import org.apache.camel.PropertyBindingException;

/**
 * What Camel refused (a route, a bean, a property) as the one line an operator needs: the route and the
 * value at fault, then the reason. Camel wraps the reason in several layers ("Failed to create route ...
 * Cannot create bean ... Error binding property ..."); the line keeps the parts that name something and
 * drops the rest. A refused start-up and a refused live edit of a route file are both told this way.
 */
public final class CamelFailures {

    private CamelFailures() {
    }

    /** {@code route <id>: parameter <name> = '<value>': <reason>}, each part when the failure names it. */
    public static String describe(Throwable failure) {
        return describe(failure, routeId(failure));
    }

    /** As {@link #describe(Throwable)}, naming {@code routeId} (null: no route). */
    public static String describe(Throwable failure, String routeId) {
        StringBuilder line = new StringBuilder();
        if (routeId != null) {
            line.append("route ").append(routeId).append(": ");
        }
        PropertyBindingException binding = find(failure, PropertyBindingException.class);
        if (binding != null) {
            line.append("parameter ").append(binding.getPropertyName()).append(" = '").append(binding.getValue())
                    .append("': ");
        }
        line.append(reason(failure));
        return oneLine(line.toString());
    }

    /** The route Camel failed to create or start, or null. */
    public static String routeId(Throwable failure) {
        FailedToCreateRouteException create = find(failure, FailedToCreateRouteException.class);
        if (create != null) {
            return create.getRouteId();
        }
        FailedToStartRouteException start = find(failure, FailedToStartRouteException.class);
        return start == null ? null : start.getRouteId();
    }

    /** The innermost message that says something of its own (Camel's wrappers only repeat their cause). */
    public static String reason(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IllegalArgumentException || t instanceof IllegalStateException) {
                if (t.getMessage() != null && !t.getMessage().startsWith("Cannot create bean")) {
                    return t.getMessage();
                }
            }
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** Line breaks and runs of blanks (a YAML error's excerpt, a wrapped message) as one space. */
    public static String oneLine(String text) {
        return text.replaceAll("\\s+", " ").strip();
    }
}
