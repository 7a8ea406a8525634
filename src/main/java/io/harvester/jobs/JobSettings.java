package io.harvester.jobs;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import io.harvester.infra.NearestName;
import org.apache.camel.util.TimeUtils;

/**
 * A job's schedule and failure policy, from {@code harvester.jobs.<job>.<knob>} in application.properties
 * (defaults below). A bad value, an unknown knob or a knob for a job that does not exist stops start-up
 * with a message naming the property.
 */
public record JobSettings(String cron, Duration stuckAfter, Duration maxDuration, int skipTriggers,
                          RestartFrom restartFrom) {

    static final String PREFIX = "harvester.jobs.";
    static final String DEFAULT_CRON = "0 0 */4 * * ?";
    private static final Set<String> KNOBS = Set.of("cron", "stuck-after", "max-duration", "skip-triggers", "restart-from");

    /** Where a run after a failed one starts. */
    public enum RestartFrom {
        /** At the first step the failed run did not complete; the completed ones are not run again. */
        FAILED_STEP,
        /** At the first step. */
        BEGINNING;

        static RestartFrom parse(String value) {
            return RestartFrom.valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }

        public String value() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** The settings of {@code job}, reading each property through {@code property} (empty when unset). */
    public static JobSettings of(String job, Function<String, Optional<String>> property) {
        String cron = property.apply(key(job, "cron")).orElse(DEFAULT_CRON).trim();
        Duration stuckAfter = duration(job, "stuck-after", property, "10m");
        Duration maxDuration = duration(job, "max-duration", property, "3h");
        String skips = property.apply(key(job, "skip-triggers")).orElse("1").trim();
        int skipTriggers;
        try {
            skipTriggers = Integer.parseInt(skips);
        } catch (NumberFormatException e) {
            skipTriggers = -1;
        }
        if (skipTriggers < 0) {
            throw bad(job, "skip-triggers", skips, "a whole number of triggers, 0 or more");
        }
        String restart = property.apply(key(job, "restart-from")).orElse("failed-step");
        RestartFrom restartFrom;
        try {
            restartFrom = RestartFrom.parse(restart);
        } catch (IllegalArgumentException e) {
            throw bad(job, "restart-from", restart, "failed-step or beginning");
        }
        return new JobSettings(cron, stuckAfter, maxDuration, skipTriggers, restartFrom);
    }

    /**
     * Refuses {@code harvester.jobs.*} properties that name no job or no knob: a misspelt job name
     * would otherwise leave the real job on its defaults without a word.
     */
    public static void requireKnown(Set<String> propertyNames, Set<String> jobs) {
        for (String name : new TreeSet<>(propertyNames)) {
            if (!name.startsWith(PREFIX)) {
                continue;
            }
            String rest = name.substring(PREFIX.length());
            int dot = rest.lastIndexOf('.');
            String job = dot < 0 ? rest : rest.substring(0, dot);
            String knob = dot < 0 ? "" : rest.substring(dot + 1);
            if (!jobs.contains(job)) {
                throw new IllegalArgumentException("property " + name + " names job '" + job + "', which does not exist"
                        + NearestName.suggestion(job, jobs) + " (jobs: " + new TreeSet<>(jobs) + ")");
            }
            if (!KNOBS.contains(knob)) {
                throw new IllegalArgumentException("property " + name + ": job " + job + " has no setting '" + knob + "'"
                        + NearestName.suggestion(knob, KNOBS) + " (settings: " + new TreeSet<>(KNOBS) + ")");
            }
        }
    }

    static String key(String job, String knob) {
        return PREFIX + job + "." + knob;
    }

    /** What {@code runs.params} of a job run shows of its settings. */
    Map<String, Object> describe() {
        return Map.of("stuckAfter", stuckAfter.toString(), "maxDuration", maxDuration.toString(),
                "skipTriggers", skipTriggers, "restartFrom", restartFrom.value());
    }

    private static Duration duration(String job, String knob, Function<String, Optional<String>> property, String fallback) {
        String value = property.apply(key(job, knob)).orElse(fallback).trim();
        try {
            Duration duration = TimeUtils.toDuration(value);
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("not positive");
            }
            return duration;
        } catch (RuntimeException e) {
            throw bad(job, knob, value, "a positive duration such as 90s, 10m or 3h");
        }
    }

    private static IllegalArgumentException bad(String job, String knob, String value, String expected) {
        return new IllegalArgumentException("job " + job + ": " + key(job, knob) + " = '" + value + "' is not " + expected);
    }
}
