package io.harvester.runs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import io.harvester.support.LogLines;
import org.junit.jupiter.api.Test;

/** Events recorded before anyone listens are kept up to a limit and told to the first listener; the rest are said once. */
class RunEventsTest {

    @Test
    void should_tell_the_first_listener_the_kept_start_up_events_and_say_how_many_were_not_kept() {
        RunEvents events = new RunEvents("node-a");
        for (long id = 1; id <= RunEvents.EARLY_LIMIT + 5; id++) {
            events.ended(id, "export:orders", RunStatus.ABANDONED, "abandoned");
        }
        List<Long> told = new ArrayList<>();
        try (LogLines log = LogLines.capture()) {
            events.listen(event -> told.add(event.runId()));
            events.ended(500, "export:orders", RunStatus.FAILED, "failed");

            assertThat(told).hasSize(RunEvents.EARLY_LIMIT + 1).startsWith(1L, 2L).endsWith(100L, 500L);
            assertThat(log.containing("run events of start-up")).containsExactly("WARN 5 run events of start-up were not kept"
                    + " (only the first 100): nothing is told of them (no notification); the runs' rows say how they ended");
        }
    }
}
