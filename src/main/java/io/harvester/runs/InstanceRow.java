package io.harvester.runs;

import java.time.Instant;

/** One Harvester instance as table instances knows it: alive while its lease (its last beat) holds; the live runs it owns. */
public record InstanceRow(String id, String host, Instant startedAt, Instant lastBeat, boolean alive, long liveRuns) {
}
