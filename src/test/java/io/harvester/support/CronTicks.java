package io.harvester.support;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The cron ticks of a pipeline that instances ran, read from their logs: every instance names each tick
 * Quartz gave it by the time it was scheduled for ("Pipeline export:orders: schedule tick
 * 2026-01-01T10:00:02Z runs on this instance"), so a tick run twice shows as the same time twice,
 * whatever delays the runs had.
 */
public final class CronTicks {

    private CronTicks() {
    }

    /** The ticks in the given logs, in log order, one entry per instance that ran it. */
    public static List<String> ran(String pipeline, String... logs) {
        Pattern line = Pattern.compile("Pipeline " + Pattern.quote(pipeline) + ": schedule tick (\\S+) runs on this instance");
        return Stream.of(logs).flatMap(log -> {
            Matcher m = line.matcher(log);
            Stream.Builder<String> ticks = Stream.builder();
            while (m.find()) {
                ticks.add(m.group(1));
            }
            return ticks.build();
        }).toList();
    }
}
