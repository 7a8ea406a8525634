package io.harvester.runs;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;

/** Which refusals of a run's end are final: only the database rejecting the data itself. */
class RunLifecycleTest {

    private static RuntimeException refused(String sqlState) {
        return new IllegalStateException("run store: update on run model failed", new SQLException("refused", sqlState));
    }

    @Test
    void should_give_up_only_on_rejected_data() {
        assertThat(RunLifecycle.refusedForGood(refused("22P02"))).as("invalid text representation").isTrue();
        assertThat(RunLifecycle.refusedForGood(refused("23514"))).as("check constraint").isTrue();
        assertThat(RunLifecycle.refusedForGood(refused("08001"))).as("connection refused").isFalse();
        assertThat(RunLifecycle.refusedForGood(refused("53300"))).as("too many clients").isFalse();
        assertThat(RunLifecycle.refusedForGood(refused("40P01"))).as("deadlock").isFalse();
        assertThat(RunLifecycle.refusedForGood(new IllegalStateException("no SQL at all"))).isFalse();
    }
}
