package io.harvester.paging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.http.JsonField;
import org.junit.jupiter.api.Test;

/** The values of an incrementalField: their forms, their order, a lookback taken off, and a run's window. */
class IncrementalValueTest {

    private static IncrementalValue value(String text) {
        return IncrementalValue.parse(text);
    }

    @Test
    void should_order_date_times_by_their_instant_whatever_their_offset() {
        assertThat(value("2026-03-01T10:00:00+02:00").compareTo(value("2026-03-01T09:00:00Z"))).isNegative();
        assertThat(IncrementalValue.max(value("2026-03-01T10:00:00+02:00"), value("2026-03-01T09:00:00Z")).text())
                .isEqualTo("2026-03-01T09:00:00Z");
        assertThat(value("2026-03-01T10:00:00").compareTo(value("2026-03-01T09:59:59.999"))).isPositive();
        assertThat(value("2026-03-02").compareTo(value("2026-03-01"))).isPositive();
        assertThat(value("1700000000").compareTo(value("999999999"))).isPositive();
    }

    @Test
    void should_take_the_lookback_off_in_the_values_own_form() {
        assertThat(value("2026-03-01T00:30:00Z").minus(Duration.ofHours(1)).text()).isEqualTo("2026-02-28T23:30:00Z");
        assertThat(value("2026-03-01T00:30:00+02:00").minus(Duration.ofMinutes(45)).text()).isEqualTo("2026-02-28T23:45:00+02:00");
        assertThat(value("2026-03-01T00:30:00.250").minus(Duration.ofSeconds(1)).text()).isEqualTo("2026-03-01T00:29:59.25");
        // a date moves by whole days, rounded up: the window never shrinks below the lookback
        assertThat(value("2026-03-01").minus(Duration.ofHours(1)).text()).isEqualTo("2026-02-28");
        assertThat(value("2026-03-01").minus(Duration.ofHours(25)).text()).isEqualTo("2026-02-27");
        // epoch seconds, and from 12 digits on milliseconds
        assertThat(value("1700000000").minus(Duration.ofHours(1)).text()).isEqualTo("1699996400");
        assertThat(value("1700000000000").minus(Duration.ofHours(1)).text()).isEqualTo("1699996400000");
        assertThat(value("1700000000.5").minus(Duration.ofMillis(1500)).text()).isEqualTo("1699999999.0");
        assertThat(value("1700000000").minus(Duration.ZERO).text()).isEqualTo("1700000000");
    }

    @Test
    void should_refuse_a_text_of_no_form_and_values_of_two_forms() throws Exception {
        assertThatThrownBy(() -> value("yesterday")).hasMessage("'yesterday' is not an ISO-8601 date-time, a date or an epoch number");
        assertThatThrownBy(() -> value("2026-03-01").compareTo(value("2026-03-01T00:00:00Z"))).hasMessage("'2026-03-01' and"
                + " '2026-03-01T00:00:00Z' are not of one form (a date, a date-time with an offset): they cannot be ordered");
        ObjectMapper json = new ObjectMapper();
        assertThat(IncrementalValue.of(json.readTree("1700000000")).text()).isEqualTo("1700000000");
        assertThat(IncrementalValue.of(json.readTree("\"2026-03-01\"")).text()).isEqualTo("2026-03-01");
        assertThatThrownBy(() -> IncrementalValue.of(null)).hasMessage("it is missing or null");
        assertThatThrownBy(() -> IncrementalValue.of(json.readTree("true"))).hasMessage("it is a boolean, not a date-time, a date or an epoch number");
    }

    @Test
    void should_plan_a_window_from_the_start_the_watermark_or_a_backfill() {
        IncrementalSpec spec = new IncrementalSpec(new JsonField("updated_at"), "since", "before", value("2026-01-01"), Duration.ofDays(2));
        ExportWatermarks.Kept kept = new ExportWatermarks.Kept("2026-03-10", 4, 17L, "run", java.time.Instant.EPOCH);

        assertThat(spec.window(Map.of(), Optional::empty).url("http://api/x?a=1", spec)).isEqualTo("http://api/x?a=1&since=2026-01-01");
        IncrementalSpec.Window next = spec.window(Map.of(), () -> Optional.of(kept));
        assertThat(next.url("http://api/x", spec)).isEqualTo("http://api/x?since=2026-03-08");
        assertThat(next.readVersion()).isEqualTo(4);
        assertThat(next.backfill()).isFalse();
        IncrementalSpec.Window backfill = spec.window(Map.of("from", "2025-01-01", "to", "2025-02-01"), () -> {
            throw new AssertionError("a backfill window reads no watermark");
        });
        assertThat(backfill.url("http://api/x", spec)).isEqualTo("http://api/x?since=2025-01-01&before=2025-02-01");
        assertThat(backfill.backfill()).isTrue();
        assertThat(backfill.readVersion()).isZero();
        assertThat(new IncrementalSpec(new JsonField("u"), "since", "", null, Duration.ZERO).window(Map.of(), Optional::empty)
                .url("http://api/x", spec)).isEqualTo("http://api/x");
    }
}
