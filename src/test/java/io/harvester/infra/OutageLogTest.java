package io.harvester.infra;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.harvester.support.LogLines;

/** One WARN when the work starts failing, one INFO when it works again; a request begun during the outage that fails late is part of it. */
class OutageLogTest {

    @Test
    void aLateFailureOfAnAttemptBegunDuringTheOutageStartsNoNewOne() {
        OutageLog outage = new OutageLog("Intake");
        try (LogLines log = LogLines.capture()) {
            long duringOutage = outage.attempt();
            outage.failed(new IllegalStateException("down"), outage.attempt());
            outage.failed(new IllegalStateException("down"), outage.attempt());
            outage.succeeded();
            // its client's retries outlasted the outage
            outage.failed(new IllegalStateException("stale connection"), duringOutage);
            assertThat(outage.failing()).isFalse();
            // a new attempt that fails is a new outage
            outage.failed(new IllegalStateException("down again"), outage.attempt());
            outage.succeeded();
            assertThat(log.containing("Intake")).containsExactly(
                    "WARN Intake failed, retried until it works: IllegalStateException: down",
                    "INFO Intake works again",
                    "WARN Intake failed, retried until it works: IllegalStateException: down again",
                    "INFO Intake works again");
        }
    }
}
