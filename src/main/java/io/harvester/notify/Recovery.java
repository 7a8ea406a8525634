package io.harvester.notify;

import java.util.Optional;

import io.harvester.runs.RunRepository.EndedRun;
import io.harvester.runs.RunStatus;

/**
 * Whether a run that ended is its pipeline's recovery: it completed, and the pipeline's run that ended before it
 * (skipped triggers aside) failed, was abandoned or interrupted. A completed run after a completed (or cancelled,
 * or partial) one, or a pipeline's first run, recovers nothing.
 */
public final class Recovery {

    private Recovery() {
    }

    public static boolean recovered(RunStatus ended, Optional<EndedRun> before) {
        return ended == RunStatus.COMPLETED && before.map(run -> NotifyEvent.needsRecovery(run.status())).orElse(false);
    }
}
