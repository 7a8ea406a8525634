package io.harvester.paging;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import io.harvester.http.JsonField;
import io.harvester.http.QueryStrings;

/**
 * How an export reads only what changed: each record's {@code field} (e.g. {@code updated_at}) is tracked, the
 * highest written by a completed run kept as the watermark, and the next run asks from it less {@code lookback}
 * through query parameter {@code param}; the first run from {@code start}, or everything when none is given. A
 * backfill gives its own window ({@code from}, and {@code to} through {@code endParam}) and moves nothing.
 */
record IncrementalSpec(JsonField field, String param, String endParam, IncrementalValue start, Duration lookback) {

    /** One run's window: its bounds (either may be null), whether it is a backfill, and the watermark it read. */
    record Window(IncrementalValue from, IncrementalValue to, boolean backfill, ExportWatermarks.Kept read) {

        /** The export's URL with the window's bounds. */
        String url(String url, IncrementalSpec spec) {
            String bounded = from == null ? url : QueryStrings.append(url, spec.param(), from.text());
            return to == null ? bounded : QueryStrings.append(bounded, spec.endParam(), to.text());
        }

        /** The watermark version the run read (0: there was no row). */
        long readVersion() {
            return read == null ? 0 : read.version();
        }

        /** The watermark the run read; null when none was kept. */
        IncrementalValue kept() {
            return read == null || read.value() == null ? null : IncrementalValue.parse(read.value());
        }

        /** What {@code runs.params} shows of the window. */
        Map<String, Object> describe() {
            Map<String, Object> window = new LinkedHashMap<>();
            window.put("from", from == null ? null : from.text());
            window.put("to", to == null ? null : to.text());
            window.put("backfill", backfill);
            window.put("watermark", read == null ? null : read.value());
            return window;
        }
    }

    /**
     * The window of a run. A start that gave parameters is a backfill, moving no watermark: with {@code from} and
     * {@code to} its own bounds, with overridden settings only (another URL, say) the usual bounds, for what it reads
     * is not what the watermark stands for. Otherwise the watermark less the lookback, or {@code start} while none is
     * kept. A kept value this export cannot read (its form changed) is refused, naming it.
     */
    Window window(Map<String, String> given, Supplier<Optional<ExportWatermarks.Kept>> keptWatermark) {
        if (given.containsKey("from") || given.containsKey("to")) {
            return new Window(bound(given.get("from")), bound(given.get("to")), true, null);
        }
        // read only when the window starts from it
        Optional<ExportWatermarks.Kept> kept = keptWatermark.get();
        boolean backfill = !given.isEmpty();
        if (kept.isEmpty() || kept.get().value() == null) {
            return new Window(start, null, backfill, kept.orElse(null));
        }
        IncrementalValue watermark;
        try {
            watermark = IncrementalValue.parse(kept.get().value());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the kept watermark cannot be read: " + e.getMessage()
                    + "; reset it (POST /api/pipelines/{name}/watermark)");
        }
        return new Window(watermark.minus(lookback), null, backfill, kept.get());
    }

    private static IncrementalValue bound(String text) {
        return text == null ? null : IncrementalValue.parse(text);
    }
}
