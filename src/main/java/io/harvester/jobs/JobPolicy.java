package io.harvester.jobs;

import java.util.Optional;
import java.util.function.LongToIntFunction;

import io.harvester.runs.RunRepository.EndedRun;
import io.harvester.runs.RunRepository.LiveAge;
import io.harvester.runs.RunStatus;

/**
 * The rule a trigger follows when a job's last run failed or its live run is stuck: the next
 * {@code skip-triggers} triggers are recorded skipped, naming that run; the trigger after them cancels it
 * (when it still executes) and starts a new run. A healthy live run makes a trigger skipped as before; a
 * manual start does not wait out the skips. Pure: the facts come from the database.
 */
final class JobPolicy {

    enum Action {
        /** Begin a run (a healthy live run still makes it a skipped row, as for every pipeline). */
        START,
        /** Record the trigger skipped, naming {@link Decision#blocker}. */
        SKIP,
        /** Cancel the stuck {@link Decision#blocker}, then begin a run. */
        CANCEL_AND_START
    }

    record Decision(Action action, long blocker, String reason) {
        static Decision start() {
            return new Decision(Action.START, -1, null);
        }
    }

    private JobPolicy() {
    }

    /**
     * @param live the job's live run: how long since its last heartbeat and since it started
     * @param last the job's newest ended run (skipped triggers and single-step runs aside)
     * @param skipsAgainst how many triggers were already skipped because of a run
     */
    static Decision decide(Optional<LiveAge> live, Optional<EndedRun> last, JobSettings settings, boolean manual,
                           LongToIntFunction skipsAgainst) {
        long blocker;
        String what;
        if (live.isPresent()) {
            String stuck = stuck(live.get(), settings);
            if (stuck == null) {
                return Decision.start();
            }
            blocker = live.get().id();
            what = "stuck (" + stuck + ")";
        } else if (last.isPresent() && failed(last.get().status())) {
            blocker = last.get().id();
            what = last.get().status().word();
        } else {
            return Decision.start();
        }
        int skipped = skipsAgainst.applyAsInt(blocker);
        if (!manual && skipped < settings.skipTriggers()) {
            String times = settings.skipTriggers() == 1 ? "skipping once"
                    : "skipping trigger " + (skipped + 1) + " of " + settings.skipTriggers();
            return new Decision(Action.SKIP, blocker, "skipped: previous run " + blocker + " " + what + "; " + times);
        }
        if (live.isPresent()) {
            return new Decision(Action.CANCEL_AND_START, blocker, "abandoned: " + what + "; cancelled by "
                    + (manual ? "a manual start" : "the trigger after " + skipped + " skipped trigger(s)"));
        }
        return Decision.start();
    }

    /** Why a live run counts as stuck, or null when it is healthy. */
    static String stuck(LiveAge live, JobSettings settings) {
        if (live.silentSeconds() > settings.stuckAfter().toMillis() / 1000.0) {
            return "no heartbeat for " + Math.round(live.silentSeconds()) + " s, stuck-after " + settings.stuckAfter();
        }
        if (live.ageSeconds() > settings.maxDuration().toMillis() / 1000.0) {
            return "running for " + Math.round(live.ageSeconds()) + " s, max-duration " + settings.maxDuration();
        }
        return null;
    }

    /** Runs after which the policy holds the next triggers back. */
    static boolean failed(RunStatus status) {
        return status == RunStatus.FAILED || status == RunStatus.ABANDONED;
    }

    /** Runs the next run resumes: every end but completed (a shutdown or a cancel also leaves steps undone). */
    static boolean resumable(RunStatus status) {
        return status != RunStatus.COMPLETED;
    }
}
