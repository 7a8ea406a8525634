package io.harvester.runs;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A run with the rest of its row: its parameters, the instance that owns it, the run it resumes, the run
 * it was skipped for, and its last heartbeat.
 */
public record RunDetails(RunRow run, JsonNode params, String owner, int takeovers, Long resumedFrom, Long blockedBy,
                         Instant heartbeatAt) {
}
