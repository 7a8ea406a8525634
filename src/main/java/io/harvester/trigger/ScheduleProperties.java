package io.harvester.trigger;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import io.harvester.infra.NearestName;
import org.apache.camel.CamelContext;
import org.apache.camel.util.IOHelper;

/**
 * A pipeline's schedule set from properties: {@code harvester.schedule.<kind>.<name>.cron} and
 * {@code .misfire} for pipeline {@code <kind>:<name>} (a colon separates key from value in a properties
 * file, so the key spells it as a dot). An environment variable sets the same key the way Camel reads
 * one for any key: in capitals with {@code _} for {@code .} and {@code -}
 * ({@code HARVESTER_SCHEDULE_EXPORT_ORDERS_CRON}). The prefix also holds the scheduler's own knobs
 * ({@link ScheduleConfiguration}).
 * <p>
 * Any other key or variable under the prefix stops start-up: a misspelt pipeline would otherwise keep
 * its old cron without a word.
 */
final class ScheduleProperties {

    static final String PREFIX = "harvester.schedule.";
    static final String CRON = "cron";
    static final String MISFIRE = "misfire";
    private static final Set<String> KNOBS = Set.of(CRON, MISFIRE);
    /** The scheduler's own settings under the prefix, which name no pipeline. */
    private static final Set<String> SCHEDULER = Set.of("threads", "cluster-checkin-interval-ms", "misfire-threshold-ms");
    private static final String ENVIRONMENT_PREFIX = IOHelper.normalizeEnvironmentVariable(PREFIX);

    private ScheduleProperties() {
    }

    /** The key of one of a pipeline's schedule settings: export:orders, cron gives harvester.schedule.export.orders.cron. */
    static String key(String pipeline, String knob) {
        return PREFIX + pipeline.replaceFirst(":", ".") + "." + knob;
    }

    /** The value of one of a pipeline's schedule settings, from wherever Camel finds it (file, -D, environment). */
    static Optional<String> value(CamelContext context, String pipeline, String knob) {
        return context.getPropertiesComponent().resolveProperty(key(pipeline, knob));
    }

    /** Refuses keys under {@code harvester.schedule.} that name neither a scheduler setting nor a pipeline's schedule setting. */
    static void requireKnown(Set<String> propertyNames, Set<String> pipelines) {
        for (String name : new TreeSet<>(propertyNames)) {
            String rest = name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : null;
            if (rest == null || SCHEDULER.contains(rest)) {
                continue;
            }
            int kindEnd = rest.indexOf('.');
            int knobStart = rest.lastIndexOf('.');
            if (kindEnd < 0 || knobStart <= kindEnd + 1) {
                throw new IllegalArgumentException("property " + name + " is neither a pipeline's schedule (" + PREFIX
                        + "<kind>.<name>.cron or .misfire) nor a setting of the scheduler" + NearestName.suggestion(rest, SCHEDULER)
                        + " (" + new TreeSet<>(SCHEDULER) + ")");
            }
            String pipeline = rest.substring(0, kindEnd) + ":" + rest.substring(kindEnd + 1, knobStart);
            String knob = rest.substring(knobStart + 1);
            if (!pipelines.contains(pipeline)) {
                throw new IllegalArgumentException("property " + name + " names pipeline '" + pipeline
                        + "', which this daemon does not have" + NearestName.suggestion(pipeline, pipelines) + " (pipelines: "
                        + new TreeSet<>(pipelines) + ")");
            }
            if (!KNOBS.contains(knob)) {
                throw new IllegalArgumentException("property " + name + ": a pipeline's schedule has no setting '" + knob
                        + "'" + NearestName.suggestion(knob, KNOBS) + " (settings: " + new TreeSet<>(KNOBS) + ")");
            }
        }
    }

    /**
     * Refuses environment variables under {@code HARVESTER_SCHEDULE_} that are not the variable of a
     * known key: Camel never lists variables, it only looks a key's one up.
     */
    static void requireKnownEnvironment(Set<String> variables, Set<String> pipelines) {
        Set<String> known = new TreeSet<>();
        SCHEDULER.forEach(knob -> known.add(IOHelper.normalizeEnvironmentVariable(PREFIX + knob)));
        for (String pipeline : pipelines) {
            KNOBS.forEach(knob -> known.add(IOHelper.normalizeEnvironmentVariable(key(pipeline, knob))));
        }
        for (String variable : new TreeSet<>(variables)) {
            if (variable.startsWith(ENVIRONMENT_PREFIX) && !known.contains(variable)) {
                throw new IllegalArgumentException("environment variable " + variable + " sets no schedule setting of"
                        + " this daemon (" + ENVIRONMENT_PREFIX + "<KIND>_<NAME>_CRON or _MISFIRE of a pipeline, or a"
                        + " setting of the scheduler)" + NearestName.suggestion(variable, known));
            }
        }
    }
}
