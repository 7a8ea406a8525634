package io.harvester.pipeline;

import java.time.Instant;

/**
 * Where an incremental pipeline's next run reads from: {@code value} (null while none is kept: the next run starts
 * from the pipeline's configured start), the run that set it ({@code runId}, null when a reset did), who set it
 * ({@code run}, {@code api}, {@code jmx}) and when.
 */
public record Watermark(String value, Long runId, String setBy, Instant updatedAt) {

    public static final Watermark NONE = new Watermark(null, null, null, null);
}
