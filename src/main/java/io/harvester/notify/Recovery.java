package io.harvester.notify;

import java.util.Optional;

import io.harvester.runs.RunRepository.EndedRun;
import io.harvester.runs.RunStatus;

/**
 * Whether a run that ended is its pipeline's recovery: it completed, and the pipeline's whole run that ended
 * decisively before it ({@code RunRepository.endedBefore}: cancelled, interrupted and partial runs, skipped triggers
 * and single steps passed over) failed or was abandoned. A completed run after a completed one, or a pipeline's first
 * run, recovers nothing; nor does a job's single step, which is not the job.
 */
public final class Recovery {

    private Recovery() {
    }

    public static boolean recovered(RunStatus ended, Optional<EndedRun> before) {
        return ended == RunStatus.COMPLETED && before.map(run -> NotifyEvent.needsRecovery(run.status())).orElse(false);
    }
}
