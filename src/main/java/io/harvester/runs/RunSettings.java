package io.harvester.runs;

import java.nio.file.Path;

import io.harvester.infra.Knobs;
import org.apache.camel.CamelContext;
import org.apache.camel.util.TimeUtils;

/**
 * The run model's knobs ({@code harvester.runs.*}, {@code harvester.output-dir} where runs write, and the
 * instances' lease {@code harvester.cluster.heartbeat} and {@code lease}), read once; what each means is said in
 * application.properties.
 */
public record RunSettings(long heartbeatIntervalMs, long staleAfterMs, int retentionDays, int retentionBatchSize,
                          int logQueueSize, Path outputDir, long clusterHeartbeatMs, long clusterLeaseMs) {

    public static RunSettings from(CamelContext context) {
        Knobs knobs = new Knobs(context);
        return new RunSettings(
                knobs.value("harvester.runs.heartbeat-interval-ms", long.class),
                knobs.value("harvester.runs.stale-after-ms", long.class),
                knobs.value("harvester.runs.retention-days", int.class),
                knobs.value("harvester.runs.retention-batch-size", int.class),
                knobs.value("harvester.runs.log-queue-size", int.class),
                Path.of(knobs.value("harvester.output-dir", String.class)),
                TimeUtils.toMilliSeconds(knobs.value("harvester.cluster.heartbeat", String.class)),
                TimeUtils.toMilliSeconds(knobs.value("harvester.cluster.lease", String.class)));
    }
}
