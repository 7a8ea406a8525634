package io.harvester.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.harvester.runs.RunEvent;
import io.harvester.runs.RunEvent.Kind;
import io.harvester.runs.RunRepository.EndedRun;
import io.harvester.runs.RunStatus;
import org.junit.jupiter.api.Test;

/** The message a webhook receives: its one-line text and its fields, for each event. */
class NotifyMessageTest {

    private static final Instant AT = Instant.parse("2026-03-01T10:15:30Z");

    private static RunEvent ended(RunStatus status, String error) {
        return new RunEvent(Kind.ENDED, 42, "export:orders", status, error, "node-a", AT);
    }

    @Test
    void should_name_the_pipeline_the_run_the_event_and_the_error_of_a_failed_run() {
        Notification failed = Notification.of(NotifyEvent.FAILED,
                ended(RunStatus.FAILED, "export orders failed on page 3: HTTP 503"), Optional.empty());

        assertThat(failed.text()).isEqualTo("Harvester: export:orders run 42 failed: export orders failed on page 3: HTTP 503");
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("text", "Harvester: export:orders run 42 failed: export orders failed on page 3: HTTP 503");
        expected.put("event", "failed");
        expected.put("pipeline", "export:orders");
        expected.put("run", 42L);
        expected.put("status", "failed");
        expected.put("error", "export orders failed on page 3: HTTP 503");
        expected.put("detail", null);
        expected.put("instance", "node-a");
        expected.put("at", "2026-03-01T10:15:30Z");
        assertThat(failed.fields()).containsExactlyEntriesOf(expected);
        assertThat(failed.json()).isEqualTo("{\"text\":\"Harvester: export:orders run 42 failed: export orders failed on page 3:"
                + " HTTP 503\",\"event\":\"failed\",\"pipeline\":\"export:orders\",\"run\":42,\"status\":\"failed\",\"error\":"
                + "\"export orders failed on page 3: HTTP 503\",\"detail\":null,\"instance\":\"node-a\",\"at\":\"2026-03-01T10:15:30Z\"}");
    }

    @Test
    void should_escape_what_slack_reads_as_markup_in_the_text_only() {
        Notification failed = Notification.of(NotifyEvent.FAILED,
                ended(RunStatus.FAILED, "HTTP 500 from /orders?a=1&b=2: <!channel> <b>"), Optional.empty());

        assertThat(failed.fields()).containsEntry("text", "Harvester: export:orders run 42 failed: HTTP 500 from /orders?a=1&amp;b=2:"
                + " &lt;!channel&gt; &lt;b&gt;").containsEntry("error", "HTTP 500 from /orders?a=1&b=2: <!channel> <b>");
    }

    @Test
    void should_not_repeat_the_status_word_an_abandoned_runs_error_starts_with() {
        Notification abandoned = Notification.of(NotifyEvent.ABANDONED,
                ended(RunStatus.ABANDONED, "abandoned: instance node-b silent since 2026-03-01 10:00:00 UTC"), Optional.empty());

        assertThat(abandoned.text()).isEqualTo("Harvester: export:orders run 42 abandoned: instance node-b silent since 2026-03-01 10:00:00 UTC");
        assertThat(abandoned.fields()).containsEntry("error", "abandoned: instance node-b silent since 2026-03-01 10:00:00 UTC")
                .containsEntry("status", "abandoned").containsEntry("event", "abandoned");
    }

    @Test
    void should_keep_the_text_on_one_line_and_cut_a_long_error_there_only() {
        String error = "line one\n\tline two " + "x".repeat(400);
        Notification failed = Notification.of(NotifyEvent.FAILED, ended(RunStatus.FAILED, error), Optional.empty());

        assertThat(failed.text()).doesNotContain("\n").startsWith("Harvester: export:orders run 42 failed: line one line two xxx")
                .endsWith("x…").hasSize("Harvester: export:orders run 42 failed: ".length() + Notification.TEXT_ERROR_LIMIT);
        assertThat(failed.fields()).containsEntry("error", error);
    }

    @Test
    void should_say_who_took_a_run_over_and_from_whom() {
        RunEvent takenOver = new RunEvent(Kind.TAKEN_OVER, 7, "crawl:shop", RunStatus.RUNNING,
                "instance node-b silent since 2026-03-01 10:00:00 UTC", "node-a", AT);

        Notification message = Notification.of(NotifyEvent.TAKEN_OVER, takenOver, Optional.empty());

        assertThat(message.text()).isEqualTo("Harvester: crawl:shop run 7 taken over by instance node-a: instance node-b silent"
                + " since 2026-03-01 10:00:00 UTC");
        assertThat(message.fields()).containsEntry("event", "taken-over").containsEntry("status", "running")
                .containsEntry("error", null).containsEntry("detail", "instance node-b silent since 2026-03-01 10:00:00 UTC");
    }

    @Test
    void should_name_the_run_a_recovery_follows() {
        Notification recovered = Notification.of(NotifyEvent.RECOVERED, ended(RunStatus.COMPLETED, null),
                Optional.of(new EndedRun(41, RunStatus.FAILED, AT, "HTTP 503")));

        assertThat(recovered.text()).isEqualTo("Harvester: export:orders run 42 recovered (completed after run 41 failed)");
        assertThat(recovered.fields()).containsEntry("event", "recovered").containsEntry("status", "completed")
                .containsEntry("error", null).containsEntry("detail", "after run 41 failed");
    }

    @Test
    void should_map_run_events_to_the_events_they_may_tell() {
        assertThat(NotifyEvent.of(ended(RunStatus.FAILED, "x"))).contains(NotifyEvent.FAILED);
        assertThat(NotifyEvent.of(ended(RunStatus.ABANDONED, "x"))).contains(NotifyEvent.ABANDONED);
        assertThat(NotifyEvent.of(ended(RunStatus.COMPLETED, null))).contains(NotifyEvent.RECOVERED);
        assertThat(NotifyEvent.of(new RunEvent(Kind.TAKEN_OVER, 1, "p", RunStatus.RUNNING, "d", "i", AT))).contains(NotifyEvent.TAKEN_OVER);
        for (RunStatus quiet : new RunStatus[] {RunStatus.CANCELLED, RunStatus.INTERRUPTED, RunStatus.PARTIAL, RunStatus.SKIPPED}) {
            assertThat(NotifyEvent.of(ended(quiet, null))).as(quiet.word()).isEmpty();
        }
    }

    @Test
    void should_read_the_knobs_and_refuse_an_unknown_event_naming_the_known_ones() {
        NotifySettings settings = NotifySettings.of("https://hooks.example.com/services/T0/B0/secret", "failed, recovered",
                "export:orders, crawl:shop", "Authorization: Bearer t0ken");

        assertThat(settings.events()).containsExactly(NotifyEvent.FAILED, NotifyEvent.RECOVERED);
        assertThat(settings.wanted(NotifyEvent.FAILED, "export:other")).isTrue();
        assertThat(settings.wanted(NotifyEvent.ABANDONED, "export:other")).isFalse();
        assertThat(settings.wanted(NotifyEvent.FAILED, "export:orders")).isFalse();
        assertThat(settings.webhook()).isEqualTo("https://hooks.example.com/…");
        assertThat(settings.headers().values()).containsExactly(Map.entry("Authorization", "Bearer t0ken"));
        assertThat(settings.toString()).doesNotContain("secret").doesNotContain("t0ken");
        assertThat(NotifySettings.of("", "failed", "", "").wanted(NotifyEvent.FAILED, "export:x")).as("no url: off").isFalse();
        assertThatThrownBy(() -> NotifySettings.of("http://h/x", "failed,crashed", "", ""))
                .hasMessage("harvester.notify.events: 'crashed' is not one of failed, abandoned, taken-over, recovered");
        assertThatThrownBy(() -> NotifySettings.of("hooks.example.com/x", "failed", "", ""))
                .hasMessage("harvester.notify.url = (not a URL): not an http:// or https:// URL that parses");
        assertThatThrownBy(() -> NotifySettings.of("http://hooks example/x", "failed", "", ""))
                .hasMessage("harvester.notify.url = (not a URL): not an http:// or https:// URL that parses");
        // a Compose service name: java.net.URI gives it no host, only an authority
        assertThat(NotifySettings.of("http://notify_hook:8080/hook", "failed", "", "").on()).isTrue();
    }
}
