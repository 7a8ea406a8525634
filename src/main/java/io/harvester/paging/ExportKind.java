package io.harvester.paging;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import io.harvester.pipeline.PipelineKind;
import io.harvester.pipeline.PipelineRefused;
import io.harvester.pipeline.Watermark;
import org.apache.camel.CamelContext;

/**
 * Paged exports ({@code export:<name>}): runs as the kernel does them. A start may give a run its own window
 * ({@code from}, {@code to}: a backfill) and the settings its export names overridable; an incremental export keeps
 * a watermark, shown and reset here. Each export's bean declares itself when it is made.
 */
public final class ExportKind implements PipelineKind {

    public static final String NAME = "export";
    private final ExportWatermarks watermarks;
    private final Map<String, PagedExport> exports = new ConcurrentHashMap<>();

    public ExportKind(ExportWatermarks watermarks) {
        this.watermarks = watermarks;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Its steps count pages or nodes; what a run wrote is its CSV's rows. */
    @Override
    public boolean stepRecordsAreWrites() {
        return false;
    }

    void declare(String pipeline, PagedExport export) {
        exports.put(pipeline, export);
    }

    ExportWatermarks watermarks() {
        return watermarks;
    }

    @Override
    public void release(CamelContext context, String pipeline) {
        exports.remove(pipeline);
    }

    @Override
    public Map<String, Object> startHeaders(String pipeline, Map<String, JsonNode> params) {
        if (params.isEmpty()) {
            return Map.of();
        }
        return Map.of(PagedExport.GIVEN, export(pipeline).given(params));
    }

    @Override
    public List<String> startParams(String pipeline) {
        PagedExport export = exports.get(pipeline);
        return export == null ? List.of() : export.takes();
    }

    @Override
    public Optional<Watermark> watermark(String pipeline) {
        PagedExport export = exports.get(pipeline);
        if (export == null || !export.incremental()) {
            return Optional.empty();
        }
        return Optional.of(watermarks.kept(pipeline).filter(kept -> kept.value() != null)
                .map(kept -> new Watermark(kept.value(), kept.runId(), kept.setBy(), kept.updatedAt()))
                .orElse(Watermark.NONE));
    }

    @Override
    public Watermark resetWatermark(String pipeline, String value, String by) {
        if (watermark(pipeline).isEmpty()) {
            return PipelineKind.super.resetWatermark(pipeline, value, by);
        }
        String kept = null;
        if (value != null) {
            IncrementalValue given;
            try {
                given = IncrementalValue.parse(value);
            } catch (IllegalArgumentException e) {
                throw new PipelineRefused(400, "value", "a watermark must be what incrementalField holds: " + e.getMessage());
            }
            try {
                // of the form the export's values take: one of another could never be ordered against them
                export(pipeline).sameFormAsKnown(given, watermark(pipeline).map(Watermark::value).orElse(null));
            } catch (IllegalArgumentException e) {
                throw new PipelineRefused(400, "value", "a watermark must be what incrementalField holds: " + e.getMessage()
                        + " (after a change of the field's form, forget the kept one first: {\"value\": null})");
            }
            kept = given.text();
        }
        watermarks.reset(pipeline, kept, by);
        return watermark(pipeline).orElseThrow();
    }

    private PagedExport export(String pipeline) {
        PagedExport export = exports.get(pipeline);
        if (export == null) {
            throw new PipelineRefused(404, "pipeline", "no export " + pipeline + " on this instance");
        }
        return export;
    }
}
