package io.harvester.runs;

import java.util.Locale;

/** What started a run; stored in {@code runs.trigger}. */
public enum TriggerKind {
    SCHEDULE, API, STARTUP, MANUAL;

    /** Exchange header carrying the trigger kind into a pipeline route. */
    public static final String HEADER = "HarvesterTrigger";

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TriggerKind parse(Object header) {
        if (header == null) {
            return MANUAL;
        }
        return TriggerKind.valueOf(header.toString().toUpperCase(Locale.ROOT));
    }
}
