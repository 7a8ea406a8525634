package io.harvester.runs;

import java.time.Instant;

/** A run as lists show it: its row in {@code runs} without its parameters and bookkeeping; {@code owner} the instance running it. */
public record RunRow(long id, String pipeline, RunStatus status, String trigger, int progress, String currentStep,
                     String error, Instant createdAt, Instant startedAt, Instant finishedAt, String owner) {
}
