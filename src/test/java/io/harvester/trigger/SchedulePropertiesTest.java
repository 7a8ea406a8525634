package io.harvester.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;

import org.junit.jupiter.api.Test;

/** harvester.schedule.* keys and HARVESTER_SCHEDULE_* variables must name a pipeline's setting or a scheduler setting. */
class SchedulePropertiesTest {

    private static final Set<String> PIPELINES = Set.of("export:orders", "job:nightly-sync", "system:retention");

    @Test
    void should_spell_a_pipeline_with_a_dot_for_its_colon() {
        assertThat(ScheduleProperties.key("export:orders", "cron")).isEqualTo("harvester.schedule.export.orders.cron");
        assertThat(ScheduleProperties.key("job:nightly-sync", "misfire")).isEqualTo("harvester.schedule.job.nightly-sync.misfire");
    }

    @Test
    void should_accept_pipeline_settings_scheduler_settings_and_other_keys() {
        ScheduleProperties.requireKnown(Set.of("harvester.schedule.export.orders.cron", "harvester.schedule.job.nightly-sync.misfire",
                "harvester.schedule.threads", "harvester.schedule.cluster-checkin-interval-ms",
                "harvester.schedule.misfire-threshold-ms", "harvester.jobs.nightly-sync.cron", "harvester.db.url"), PIPELINES);
    }

    @Test
    void should_name_an_unknown_pipeline_with_the_closest_one() {
        assertThatThrownBy(() -> ScheduleProperties.requireKnown(Set.of("harvester.schedule.export.ordres.cron"), PIPELINES))
                .hasMessage("property harvester.schedule.export.ordres.cron names pipeline 'export:ordres', which this daemon"
                        + " does not have (did you mean 'export:orders'?) (pipelines: [export:orders, job:nightly-sync,"
                        + " system:retention])");
    }

    @Test
    void should_name_an_unknown_setting_with_the_closest_one() {
        assertThatThrownBy(() -> ScheduleProperties.requireKnown(Set.of("harvester.schedule.export.orders.crom"), PIPELINES))
                .hasMessage("property harvester.schedule.export.orders.crom: a pipeline's schedule has no setting 'crom'"
                        + " (did you mean 'cron'?) (settings: [cron, misfire])");
    }

    @Test
    void should_name_a_key_that_is_neither_a_pipeline_setting_nor_a_scheduler_setting() {
        assertThatThrownBy(() -> ScheduleProperties.requireKnown(Set.of("harvester.schedule.thread"), PIPELINES))
                .hasMessage("property harvester.schedule.thread is neither a pipeline's schedule"
                        + " (harvester.schedule.<kind>.<name>.cron or .misfire) nor a setting of the scheduler"
                        + " (did you mean 'threads'?) ([cluster-checkin-interval-ms, misfire-threshold-ms, threads])");
        // "harvester.schedule.export:orders = ..." in a properties file is key harvester.schedule.export
        assertThatThrownBy(() -> ScheduleProperties.requireKnown(Set.of("harvester.schedule.export"), PIPELINES))
                .hasMessageStartingWith("property harvester.schedule.export is neither a pipeline's schedule");
    }

    @Test
    void should_accept_the_variables_of_known_keys_and_name_others_with_the_closest_one() {
        ScheduleProperties.requireKnownEnvironment(Set.of("HARVESTER_SCHEDULE_EXPORT_ORDERS_CRON",
                "HARVESTER_SCHEDULE_JOB_NIGHTLY_SYNC_MISFIRE", "HARVESTER_SCHEDULE_THREADS", "HARVESTER_DB_URL", "PATH"), PIPELINES);
        assertThatThrownBy(() -> ScheduleProperties.requireKnownEnvironment(Set.of("HARVESTER_SCHEDULE_EXPORT_ORDRES_CRON"), PIPELINES))
                .hasMessage("environment variable HARVESTER_SCHEDULE_EXPORT_ORDRES_CRON sets no schedule setting of this"
                        + " daemon (HARVESTER_SCHEDULE_<KIND>_<NAME>_CRON or _MISFIRE of a pipeline, or a setting of the"
                        + " scheduler) (did you mean 'HARVESTER_SCHEDULE_EXPORT_ORDERS_CRON'?)");
    }

    @Test
    void should_read_a_misfire_policy_and_name_a_bad_one() {
        assertThat(Misfire.parse("k", " Do-Nothing ")).isEqualTo(Misfire.DO_NOTHING);
        assertThat(Misfire.parse("k", "fire-once-now").instruction()).isEqualTo(1);
        assertThat(Misfire.DO_NOTHING.instruction()).isEqualTo(2);
        assertThatThrownBy(() -> Misfire.parse("harvester.schedule.export.orders.misfire", "catch-up"))
                .hasMessage("harvester.schedule.export.orders.misfire = 'catch-up' is not fire-once-now or do-nothing");
    }
}
