package io.harvester.runs;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;

/** A row of {@code run_steps}: one step of a run, its outcome, and what it counted in {@code result}. */
public record StepRow(long runId, int ordinal, String name, RunStatus status, int attempt, long records, Instant startedAt,
                      Instant finishedAt, String error, JsonNode result) {

    /** The run that completed this step: its own, or for a step skipped as done earlier the one its result names; null when not done. */
    public Long completedIn() {
        if (status == RunStatus.COMPLETED) {
            return runId;
        }
        JsonNode earlier = result == null ? null : result.get("completedIn");
        return earlier == null || earlier.isNull() ? null : earlier.asLong();
    }
}
