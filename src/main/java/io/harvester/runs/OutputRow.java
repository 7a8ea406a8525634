package io.harvester.runs;

/** A row of {@code run_outputs}: a file a run published (or its log file), relative to the run's output folder. */
public record OutputRow(long id, String path, long bytes, long rows, String sha256, boolean primary) {
}
