package io.harvester.trigger;

import java.util.Locale;

import org.quartz.CronTrigger;

/**
 * What a pipeline's schedule does about ticks that passed while no instance could fire them (every
 * instance down, or all busy for longer than {@code harvester.schedule.misfire-threshold-ms}): at most
 * one late run either way, never one per tick missed.
 */
public enum Misfire {
    /** One run as soon as an instance can, then the cron goes on (camel-quartz's default for cron triggers). */
    FIRE_ONCE_NOW(CronTrigger.MISFIRE_INSTRUCTION_FIRE_ONCE_NOW),
    /** No late run: the next run is the cron's next tick. */
    DO_NOTHING(CronTrigger.MISFIRE_INSTRUCTION_DO_NOTHING);

    private final int instruction;

    Misfire(int instruction) {
        this.instruction = instruction;
    }

    /** Quartz's misfire instruction of a cron trigger. */
    int instruction() {
        return instruction;
    }

    /** As written in properties: {@code fire-once-now} or {@code do-nothing}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The policy a property gives; fails naming the property and its value. */
    static Misfire parse(String property, String value) {
        for (Misfire misfire : values()) {
            if (misfire.value().equals(value.trim().toLowerCase(Locale.ROOT))) {
                return misfire;
            }
        }
        throw new IllegalArgumentException(property + " = '" + value + "' is not " + FIRE_ONCE_NOW.value() + " or "
                + DO_NOTHING.value());
    }
}
