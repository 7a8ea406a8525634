package io.harvester.runs;

import java.time.Instant;

/**
 * Something this instance recorded about a run that people may want to hear of: the run ended ({@code status} and
 * {@code detail}, its error, as its row now holds them), or this instance took it over from a dead one
 * ({@code status} running, {@code detail} names the dead instance). Told by the instance whose statement wrote it,
 * so once across instances ({@link RunEvents}).
 */
public record RunEvent(Kind kind, long runId, String pipeline, RunStatus status, String detail, String instance, Instant at) {

    /** What happened to the run. */
    public enum Kind {
        /** Its row got its end ({@code status}): from its own copy, a stale-run sweep, a takeover given up, a job's policy. */
        ENDED,
        /** This instance claimed the run of a dead instance and goes on with it. */
        TAKEN_OVER
    }
}
