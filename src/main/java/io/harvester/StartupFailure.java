package io.harvester;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.harvester.infra.CamelFailures;
import io.harvester.reload.RouteFiles;

/**
 * Turns whatever stopped Harvester from starting into the one line an operator needs: the file, the
 * pipeline and the value at fault, then the reason ({@link CamelFailures}), with the route file declaring
 * the route in front.
 */
final class StartupFailure {

    /** How our own checks name a route in their message. */
    private static final Pattern NAMED_ROUTE = Pattern.compile("\\(route ([^)\\s]+)\\)");

    private StartupFailure() {
    }

    /** @param routeFiles route id to the file that declares it, from {@link RouteFiles} */
    static String describe(Throwable failure, Map<String, String> routeFiles) {
        String routeId = CamelFailures.routeId(failure);
        if (routeId == null) {
            // our own checks name the route in the reason: "(route <id>)"
            Matcher named = NAMED_ROUTE.matcher(CamelFailures.reason(failure));
            routeId = named.find() && routeFiles.containsKey(named.group(1)) ? named.group(1) : null;
        }
        String file = routeId == null ? null : routeFiles.get(routeId);
        return CamelFailures.oneLine((file == null ? "" : file + ": ") + CamelFailures.describe(failure, routeId));
    }
}
