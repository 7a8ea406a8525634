package io.harvester.runs.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import io.harvester.api.ApiError;
import io.harvester.api.ApiRequest;
import io.harvester.output.RunOutputFile;
import io.harvester.runs.OutputRows;
import io.harvester.runs.RunRepository;
import io.vertx.core.http.HttpServerResponse;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bean {@code runFiles}: a run's published files (GET /api/runs/{id}/files) and one of them as a download
 * (GET /api/runs/{id}/files/{fileId}). Only a file registered in {@code run_outputs} for that run, found by
 * the row's id, and only when its real path lies inside the run's output folder ({@link RunOutputFile}); any
 * other file id, whatever it spells ({@code ..%2f}, an absolute path), is a 404 like a file that is gone, so
 * an answer never tells what exists outside.
 */
public final class RunFiles {

    private static final Logger LOG = LoggerFactory.getLogger(RunFiles.class);

    private final RunRepository runs;

    RunFiles(RunRepository runs) {
        this.runs = runs;
    }

    /** GET /api/runs/{id}/files */
    public Map<String, Object> list(Exchange exchange) {
        long id = new ApiRequest(exchange).runId();
        RunsApi.requireRun(runs, id);
        return Map.of("files", outputs(runs, id));
    }

    /** A run's run_outputs rows, by path. */
    static List<Map<String, Object>> outputs(RunRepository runs, long runId) {
        return runs.outputs().of(runId).stream().map(o -> new JsonRow().with("id", o.id()).with("path", o.path())
                .with("bytes", o.bytes()).with("rows", o.rows()).with("sha256", o.sha256()).with("primary", o.primary())
                .fields()).toList();
    }

    /**
     * GET /api/runs/{id}/files/{fileId}: the file is sent by the HTTP server straight from disk (Vert.x
     * sendFile: no copy in the heap, whatever its size) with its Content-Length. Camel would send a stream
     * body chunked, without a length, so the answer is written here and Camel finds it ended.
     */
    public void download(Exchange exchange) throws InterruptedException {
        ApiRequest request = new ApiRequest(exchange);
        long id = request.runId();
        String fileId = request.text("fileId");
        OutputRows.Place place = fileId == null || !fileId.matches("[1-9][0-9]{0,17}") ? null
                : runs.outputs().place(id, Long.parseLong(fileId)).orElse(null);
        if (place == null) {
            throw fileNotFound(id);
        }
        RunOutputFile.Located file = RunOutputFile.locate(place.outputDir(), place.path());
        if (!file.found()) {
            if (file.refusal() != RunOutputFile.Refusal.MISSING) {
                LOG.warn("run {}: file {} ({}) not served: {}", id, fileId, place.path(), file.reason());
            }
            throw fileNotFound(id);
        }
        if (!(exchange.getIn() instanceof HttpMessage http)) {
            throw new IllegalStateException("downloads are answered by the platform-http server (Vert.x) only");
        }
        HttpServerResponse response = http.getResponse();
        String name = file.real().getFileName().toString();
        response.putHeader("Content-Type", name.endsWith(".csv") ? "text/csv; charset=utf-8"
                : name.endsWith(".jsonl") ? "application/x-ndjson; charset=utf-8"
                : name.endsWith(".gz") ? "application/gzip"
                : name.endsWith(".log") ? "text/plain; charset=utf-8" : "application/octet-stream");
        response.putHeader("Content-Disposition", "attachment; filename=\"" + name.replaceAll("[^A-Za-z0-9._-]", "_")
                + "\"; filename*=UTF-8''" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"));
        // sendFile sets Content-Length from the file and ends the answer. Over HTTP/2 it opens the file first,
        // asynchronously: this (worker) thread waits for the end, so Camel finds the answer ended and writes nothing.
        try {
            response.sendFile(file.real().toString()).toCompletionStage().toCompletableFuture().get();
        } catch (ExecutionException e) {
            if (!response.headWritten()) {
                throw new IllegalStateException("run " + id + ": " + name + " could not be sent: " + e.getCause().getMessage(), e);
            }
            // the caller went away midway, or the disk failed: the connection is closed, nothing else can be said
            LOG.warn("run {}: download of {} broke off: {}", id, name, e.getCause().toString());
        }
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setBody(null);
    }

    /** The same answer for every refusal, naming nothing the caller sent. */
    private static ApiError fileNotFound(long runId) {
        return new ApiError(404, "run " + runId + " has no such file", null);
    }
}
