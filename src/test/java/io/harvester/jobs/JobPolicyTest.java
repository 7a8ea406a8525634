package io.harvester.jobs;

import static io.harvester.runs.RunStatus.ABANDONED;
import static io.harvester.runs.RunStatus.COMPLETED;
import static io.harvester.runs.RunStatus.FAILED;
import static io.harvester.runs.RunStatus.INTERRUPTED;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;

import io.harvester.jobs.JobPolicy.Action;
import io.harvester.jobs.JobPolicy.Decision;
import io.harvester.runs.RunRepository.EndedRun;
import io.harvester.runs.RunRepository.LiveAge;
import io.harvester.runs.RunStatus;
import org.junit.jupiter.api.Test;

/** The skip-then-restart rule, on facts alone. */
class JobPolicyTest {

    private static final JobSettings TWO_SKIPS = new JobSettings("0 0 */4 * * ?", Duration.ofMinutes(10), Duration.ofHours(3), 2,
            JobSettings.RestartFrom.FAILED_STEP);

    private static Decision decide(Optional<LiveAge> live, Optional<EndedRun> last, boolean manual, int skipsSoFar) {
        return JobPolicy.decide(live, last, TWO_SKIPS, manual, run -> skipsSoFar);
    }

    /** Run 4 ended so. */
    private static Optional<EndedRun> endedRun4(RunStatus status) {
        return Optional.of(new EndedRun(4, status, null, null));
    }

    @Test
    void should_start_after_a_completed_run_and_leave_a_healthy_live_run_to_the_overlap_rule() {
        assertThat(decide(Optional.empty(), endedRun4(COMPLETED), false, 0).action()).isEqualTo(Action.START);
        assertThat(decide(Optional.of(new LiveAge(5, 30, 600)), Optional.empty(), false, 0).action()).isEqualTo(Action.START);
        assertThat(decide(Optional.empty(), endedRun4(INTERRUPTED), false, 0).action()).isEqualTo(Action.START);
    }

    @Test
    void should_skip_the_configured_triggers_after_a_failed_run_then_start() {
        assertThat(decide(Optional.empty(), endedRun4(FAILED), false, 0))
                .isEqualTo(new Decision(Action.SKIP, 4, "skipped: previous run 4 failed; skipping trigger 1 of 2"));
        assertThat(decide(Optional.empty(), endedRun4(ABANDONED), false, 1))
                .isEqualTo(new Decision(Action.SKIP, 4, "skipped: previous run 4 abandoned; skipping trigger 2 of 2"));
        assertThat(decide(Optional.empty(), endedRun4(FAILED), false, 2).action()).isEqualTo(Action.START);
        assertThat(decide(Optional.empty(), endedRun4(FAILED), true, 0).action()).isEqualTo(Action.START);
    }

    @Test
    void should_count_a_silent_or_overlong_run_as_stuck_and_cancel_it_after_the_skips() {
        assertThat(decide(Optional.of(new LiveAge(5, 601, 700)), Optional.empty(), false, 0)).isEqualTo(new Decision(Action.SKIP, 5,
                "skipped: previous run 5 stuck (no heartbeat for 601 s, stuck-after PT10M); skipping trigger 1 of 2"));
        assertThat(decide(Optional.of(new LiveAge(5, 1, 10_801)), Optional.empty(), false, 2)).isEqualTo(new Decision(
                Action.CANCEL_AND_START, 5, "abandoned: stuck (running for 10801 s, max-duration PT3H); cancelled by the"
                        + " trigger after 2 skipped trigger(s)"));
        assertThat(decide(Optional.of(new LiveAge(5, 1, 10_801)), Optional.empty(), true, 0)).isEqualTo(new Decision(
                Action.CANCEL_AND_START, 5, "abandoned: stuck (running for 10801 s, max-duration PT3H); cancelled by a manual start"));
    }
}
