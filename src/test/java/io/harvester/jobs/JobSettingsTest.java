package io.harvester.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

class JobSettingsTest {

    @Test
    void should_default_every_knob() {
        JobSettings settings = JobSettings.of("sync", key -> Optional.empty());
        assertThat(settings).isEqualTo(new JobSettings("0 0 */4 * * ?", Duration.ofMinutes(10), Duration.ofHours(3), 1,
                JobSettings.RestartFrom.FAILED_STEP));
    }

    @Test
    void should_read_the_job_own_properties() {
        Map<String, String> properties = Map.of("harvester.jobs.sync.cron", "0 */5 * * * ?", "harvester.jobs.sync.stuck-after", "90s",
                "harvester.jobs.sync.max-duration", "2h", "harvester.jobs.sync.skip-triggers", "0",
                "harvester.jobs.sync.restart-from", "beginning");
        assertThat(JobSettings.of("sync", key -> Optional.ofNullable(properties.get(key)))).isEqualTo(new JobSettings(
                "0 */5 * * * ?", Duration.ofSeconds(90), Duration.ofHours(2), 0, JobSettings.RestartFrom.BEGINNING));
    }

    @Test
    void should_name_a_bad_value() {
        assertThatThrownBy(() -> JobSettings.of("sync", key -> Optional.ofNullable(
                Map.of("harvester.jobs.sync.skip-triggers", "-1").get(key))))
                .hasMessage("job sync: harvester.jobs.sync.skip-triggers = '-1' is not a whole number of triggers, 0 or more");
        assertThatThrownBy(() -> JobSettings.of("sync", key -> Optional.ofNullable(
                Map.of("harvester.jobs.sync.restart-from", "middle").get(key))))
                .hasMessage("job sync: harvester.jobs.sync.restart-from = 'middle' is not failed-step or beginning");
    }

    @Test
    void should_refuse_a_property_of_no_job_or_no_knob() {
        assertThatThrownBy(() -> JobSettings.requireKnown(Set.of("harvester.jobs.snyc.cron", "harvester.db.url"), Set.of("sync")))
                .hasMessage("property harvester.jobs.snyc.cron names job 'snyc', which does not exist (did you mean 'sync'?)"
                        + " (jobs: [sync])");
        assertThatThrownBy(() -> JobSettings.requireKnown(Set.of("harvester.jobs.sync.stuck-aftr"), Set.of("sync")))
                .hasMessage("property harvester.jobs.sync.stuck-aftr: job sync has no setting 'stuck-aftr' (did you mean"
                        + " 'stuck-after'?) (settings: [cron, max-duration, restart-from, skip-triggers, stuck-after])");
        JobSettings.requireKnown(Set.of("harvester.jobs.sync.cron", "harvester.runs.retention-days"), Set.of("sync"));
    }
}
