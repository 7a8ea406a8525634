package io.harvester;

import static io.harvester.http.HttpFailures.find;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.FailedToStartRouteException;
import org.apache.camel.PropertyBindingException;

/**
 * Turns whatever stopped Harvester from starting into the one line an operator needs: the file, the
 * pipeline and the value at fault, then the reason. Camel wraps the reason in several layers
 * ("Failed to create route ... Cannot create bean ... Error binding property ..."); the line keeps the
 * parts that name something and drops the rest.
 */
final class StartupFailure {

    /** How our own checks name a route in their message. */
    private static final Pattern NAMED_ROUTE = Pattern.compile("\\(route ([^)\\s]+)\\)");

    private StartupFailure() {
    }

    /** @param routeFiles route id to the file that declares it, from {@link RouteFiles} */
    static String describe(Throwable failure, Map<String, String> routeFiles) {
        StringBuilder line = new StringBuilder();
        String reason = reason(failure);
        String routeId = routeId(failure);
        if (routeId == null) {
            // our own checks name the route in the reason: "(route <id>)"
            Matcher named = NAMED_ROUTE.matcher(reason);
            routeId = named.find() && routeFiles.containsKey(named.group(1)) ? named.group(1) : null;
        }
        if (routeId != null) {
            String file = routeFiles.get(routeId);
            line.append(file == null ? "" : file + ": ").append("route ").append(routeId).append(": ");
        }
        PropertyBindingException binding = find(failure, PropertyBindingException.class);
        if (binding != null) {
            line.append("parameter ").append(binding.getPropertyName()).append(" = '").append(binding.getValue())
                    .append("': ");
        }
        line.append(reason);
        return line.toString().replaceAll("\\s+", " ").strip();
    }

    private static String routeId(Throwable failure) {
        FailedToCreateRouteException create = find(failure, FailedToCreateRouteException.class);
        if (create != null) {
            return create.getRouteId();
        }
        FailedToStartRouteException start = find(failure, FailedToStartRouteException.class);
        return start == null ? null : start.getRouteId();
    }

    /** The innermost message that says something of its own (Camel's wrappers only repeat their cause). */
    private static String reason(Throwable failure) {
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
}
