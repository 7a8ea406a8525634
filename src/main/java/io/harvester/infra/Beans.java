package io.harvester.infra;

import java.util.Set;

import org.apache.camel.CamelContext;

/**
 * Harvester's own beans, found in Camel's registry by their type. Each is bound by one configuration;
 * those that need it come after it in Harvester's list of configurations, and one listed too early stops
 * start-up naming the bean it lacks.
 */
public final class Beans {

    private Beans() {
    }

    /** The one bean of {@code type}, for {@code who} (a configuration, or a component that runs after them). */
    public static <T> T need(CamelContext context, Class<T> type, Class<?> who) {
        Set<T> found = context.getRegistry().findByType(type);
        if (found.size() != 1) {
            throw new IllegalStateException(who.getSimpleName() + " needs the " + type.getSimpleName() + " bean and "
                    + (found.isEmpty() ? "none is bound yet: it must come after the configuration binding it in"
                    + " Harvester's list of configurations" : found.size() + " are bound"));
        }
        return found.iterator().next();
    }
}
