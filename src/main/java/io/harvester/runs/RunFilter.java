package io.harvester.runs;

import java.time.Instant;

/**
 * Which runs a list shows; every field null for any. {@code pipeline} is a pipeline's exact name,
 * {@code search} a part of one in any letter case ("demo" finds export:demo-orders); {@code since} and
 * {@code until} bound the time a run was created (from, inclusive; to, exclusive).
 */
public record RunFilter(RunStatus status, String pipeline, String search, String trigger, Instant since, Instant until) {
}
