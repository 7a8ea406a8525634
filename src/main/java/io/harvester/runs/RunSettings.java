package io.harvester.runs;

import java.nio.file.Path;

import io.harvester.infra.Knobs;
import org.apache.camel.CamelContext;

/**
 * The run model's knobs ({@code harvester.runs.*}, and {@code harvester.output-dir} where runs write), read
 * once; what each means is said in application.properties.
 */
public record RunSettings(long heartbeatIntervalMs, long staleAfterMs, int retentionDays, int retentionBatchSize,
                          int logQueueSize, Path outputDir) {

    public static RunSettings from(CamelContext context) {
        Knobs knobs = new Knobs(context);
        return new RunSettings(
                knobs.value("harvester.runs.heartbeat-interval-ms", long.class),
                knobs.value("harvester.runs.stale-after-ms", long.class),
                knobs.value("harvester.runs.retention-days", int.class),
                knobs.value("harvester.runs.retention-batch-size", int.class),
                knobs.value("harvester.runs.log-queue-size", int.class),
                Path.of(knobs.value("harvester.output-dir", String.class)));
    }
}
