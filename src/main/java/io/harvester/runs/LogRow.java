package io.harvester.runs;

import java.time.Instant;

/** A row of {@code run_logs} as the runs API shows it. */
public record LogRow(long id, Instant ts, String level, String step, String message) {
}
