package io.harvester.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;

import io.harvester.runs.RunRepository.EndedRun;
import io.harvester.runs.RunStatus;
import org.junit.jupiter.api.Test;

/** A completed run recovers its pipeline when its whole run that ended decisively before it failed or was abandoned. */
class NotifyRecoveryTest {

    private static Optional<EndedRun> before(RunStatus status) {
        return Optional.of(new EndedRun(1, status, Instant.EPOCH, null));
    }

    @Test
    void should_recover_after_a_failed_or_abandoned_run_not_an_interrupted_one() {
        assertThat(Recovery.recovered(RunStatus.COMPLETED, before(RunStatus.FAILED))).isTrue();
        assertThat(Recovery.recovered(RunStatus.COMPLETED, before(RunStatus.ABANDONED))).isTrue();
        // an interrupted run (a restart) sent no message: nothing to recover from
        assertThat(Recovery.recovered(RunStatus.COMPLETED, before(RunStatus.INTERRUPTED))).isFalse();
    }

    @Test
    void should_not_recover_after_a_good_or_cancelled_run_nor_on_a_pipelines_first_run() {
        assertThat(Recovery.recovered(RunStatus.COMPLETED, before(RunStatus.COMPLETED))).isFalse();
        assertThat(Recovery.recovered(RunStatus.COMPLETED, before(RunStatus.PARTIAL))).isFalse();
        assertThat(Recovery.recovered(RunStatus.COMPLETED, before(RunStatus.CANCELLED))).isFalse();
        assertThat(Recovery.recovered(RunStatus.COMPLETED, Optional.empty())).isFalse();
    }

    @Test
    void should_recover_only_with_a_completed_run() {
        assertThat(Recovery.recovered(RunStatus.PARTIAL, before(RunStatus.FAILED))).isFalse();
        assertThat(Recovery.recovered(RunStatus.FAILED, before(RunStatus.FAILED))).isFalse();
    }
}
