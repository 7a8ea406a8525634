package io.harvester.paging;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.harvester.http.AnswerFormatException;
import io.harvester.http.HttpFailures;
import io.harvester.http.JsonField;
import io.harvester.output.OutputFile;
import io.harvester.pipeline.ProgressClock;
import io.harvester.runs.Counted;
import io.harvester.runs.LiveRun;
import io.harvester.runs.RunFenced;
import io.harvester.runs.RunHandle;
import io.harvester.runs.RunObserver;
import io.harvester.runs.RunRepository;
import io.harvester.runs.RunStatus;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** One execution of a paged export: its live run, its page window and its CSV under construction. */
final class ExportRun implements RunHandle {

    private static final Logger LOG = LoggerFactory.getLogger(ExportRun.class);

    /** A page rendered to CSV text, waiting for its turn in API order. */
    record Chunk(CharSequence text, int rows) {
    }

    private final LiveRun run;
    private final String name;
    private final RunRepository runs;
    private final OutputFile output;
    private final Pagination pagination;
    private final PageWindow<Chunk> window;
    private final boolean strictTotal;
    private final AtomicInteger pagesFetched = new AtomicInteger();
    private final AtomicInteger pagesFailed = new AtomicInteger();
    private final AtomicLong rowsWritten = new AtomicLong();
    private final ProgressClock progressClock = new ProgressClock();
    private volatile List<JsonField> columns;
    private JsonField incrementalField;
    private IncrementalSpec.Window incrementalWindow;
    private ExportWatermarks watermarks;
    private final AtomicReference<IncrementalValue> highest = new AtomicReference<>();

    ExportRun(LiveRun run, String name, OutputFile output, Pagination pagination, int concurrency, int maxPages,
              boolean strictTotal) {
        this.run = run;
        this.name = name;
        this.runs = run.store();
        this.output = output;
        this.pagination = pagination;
        this.strictTotal = strictTotal;
        this.window = new PageWindow<>(pagination, concurrency, maxPages, this::write);
        run.summarizedBy(() -> Counted.of(rowsWritten.get(), "row", "rows") + " in " + Counted.of(window.written(), "page", "pages"));
        run.onAbort(status -> {
            // the temporary file goes before the stopped window lets the route end
            window.fail(new IllegalStateException("export " + name + " was stopped"), output::abort);
            try {
                runs.steps().write(run.id(), 1, "fetch", status, pagesFetched.get(), stepResult(), null);
            } catch (RuntimeException databaseAway) {
                // the run's own row says how it ended; the step row is a detail
            }
        });
    }

    @Override
    public long id() {
        return run.id();
    }

    /** The run tracks each record's {@code field} within {@code window}; a completed run advances the watermark. */
    void trackIncrements(JsonField field, IncrementalSpec.Window window, ExportWatermarks watermarks) {
        this.incrementalField = field;
        this.incrementalWindow = window;
        this.watermarks = watermarks;
    }

    /** The field whose highest value the run tracks; null when the export is not incremental. */
    JsonField incrementalField() {
        return incrementalField;
    }

    /** A page's highest incrementalField value (null: none, or not incremental). */
    void wrote(IncrementalValue pageHighest) {
        if (pageHighest != null) {
            highest.accumulateAndGet(pageHighest, IncrementalValue::max);
        }
    }

    PageWindow<Chunk> window() {
        return window;
    }

    List<JsonField> columns() {
        return columns;
    }

    void columns(List<JsonField> columns) {
        this.columns = columns;
    }

    void fetched() {
        pagesFetched.incrementAndGet();
        run.count(RunObserver.PAGES, 1);
    }

    private void write(Chunk chunk) {
        output.write(chunk.text(), chunk.rows());
        rowsWritten.addAndGet(chunk.rows());
        run.count(RunObserver.ROWS, chunk.rows());
        if (progressClock.due()) {
            reportProgress();
        }
    }

    /** Progress is a view: a failed write of it (the database is away) must not fail the export. */
    private void reportProgress() {
        int pages = window.pageCount();
        // called while a page is being written: it is the window's next one
        int page = window.written() + 1;
        String where = pages > 0 ? "fetch page " + page + "/" + pages : "fetch page " + page + ", " + rowsWritten.get() + " rows";
        // 99 at most: the run is complete only once the file is published; a cursor export has no end in sight
        int percent = pages > 0 ? Math.min(99, (int) (page * 100L / pages)) : 0;
        try {
            runs.progress(run.id(), percent, where);
        } catch (RunFenced e) {
            // another instance continues the run: RunLifecycle has said so and stopped this copy
        } catch (RuntimeException e) {
            LOG.warn("Export {} run {}: progress not recorded: {}", name, run.id(), e.getMessage());
        }
    }

    void publish() {
        RuntimeException stopped = window.failure();
        if (stopped != null) {
            // a run failed by a page already ended; one the window stopped itself (maxPages) ends here
            endFailed("export " + name + " failed: " + stopped.getMessage(), "fetch", stopped);
            return;
        }
        if (!window.complete()) {
            throw new AnswerFormatException("pagination stopped after " + window.written() + " pages without reaching its end");
        }
        String warning = checkTotal();
        if (!run.claimEnd()) {
            // interrupted or out of time meanwhile: nothing is published
            output.abort();
            return;
        }
        try {
            // no file under a final name for a copy another instance took over meanwhile
            runs.fence().check(run.id());
            OutputFile.Published file = output.publish(published -> {
                Map<String, Object> fetch = stepResult();
                if (warning != null) {
                    fetch.put("warning", warning);
                }
                runs.steps().write(run.id(), 1, "fetch", RunStatus.COMPLETED, pagesFetched.get(), fetch, null);
                runs.outputs().write(run.id(), published.path().getFileName().toString(), published.bytes(), published.rows(),
                        published.sha256(), true);
                runs.steps().write(run.id(), 2, "publish", RunStatus.COMPLETED, published.rows(),
                        Map.of("path", published.path().toString(), "bytes", published.bytes(), "sha256", published.sha256()),
                        null);
                if (warning != null) {
                    runs.logs().write(run.id(), "fetch", "WARN", warning);
                }
                run.recordNow(RunStatus.COMPLETED, null);
            });
            LOG.info("Export {} run {} completed: {} pages, {} rows, {} bytes -> {}", name, run.id(), pagesFetched.get(),
                    file.rows(), file.bytes(), file.path());
            advanceWatermark();
        } catch (RunFenced lost) {
            // RunLifecycle has said so; the file is withdrawn if it was renamed already
            output.abort();
        } catch (RuntimeException e) {
            String message = "export " + name + " failed: " + HttpFailures.describe(e);
            run.record(RunStatus.FAILED, message, "publish");
            LOG.error(message, e);
            output.abort();
            run.withdrawOutputs();
        }
    }

    /**
     * A completed run that was not a backfill moves the watermark to the highest value it wrote (never back), unless a
     * reset came in while it worked. The run is complete whatever happens here: a watermark not moved only means the
     * next run reads these rows again.
     */
    private void advanceWatermark() {
        if (incrementalWindow == null || incrementalWindow.backfill() || highest.get() == null) {
            return;
        }
        IncrementalValue kept = incrementalWindow.kept();
        String pipeline = run.pipeline();
        long version = incrementalWindow.readVersion();
        try {
            // twice at most: a run that completed just before this one (after this one read the watermark) moved it
            for (int attempt = 0; attempt < 2; attempt++) {
                IncrementalValue next = IncrementalValue.max(kept, highest.get());
                if (next.equals(kept)) {
                    return;
                }
                if (watermarks.advance(pipeline, next.text(), run.id(), version)) {
                    LOG.info("Export {} run {}: watermark advanced {}{}", name, run.id(), kept == null ? "to " : "from " + kept + " to ", next);
                    return;
                }
                Optional<ExportWatermarks.Kept> now = watermarks.kept(pipeline);
                if (now.isEmpty() || !"run".equals(now.get().setBy()) || now.get().value() == null) {
                    LOG.warn("Export {} run {}: watermark not advanced to {}: it was reset while the run worked, the reset stands", name,
                            run.id(), next);
                    return;
                }
                // this run read from an earlier watermark: everything from there to its highest is written
                kept = IncrementalValue.parse(now.get().value());
                version = now.get().version();
            }
            LOG.warn("Export {} run {}: watermark not advanced: it kept changing while the run completed", name, run.id());
        } catch (RuntimeException e) {
            LOG.warn("Export {} run {}: watermark not advanced to {} ({}): the next run reads from {} again", name, run.id(), highest.get(),
                    e.getMessage(), kept == null ? "the start" : kept);
        }
    }

    /** Rows written against the total the first page announced: a mismatch fails the run, or warns with strictTotal off. */
    private String checkTotal() {
        long expected = pagination.expectedRows();
        if (expected < 0 || expected == rowsWritten.get()) {
            return null;
        }
        String message = "wrote " + rowsWritten.get() + " rows but the first page announced a total of " + expected;
        if (strictTotal) {
            throw new AnswerFormatException(message + " (set strictTotal: false to publish anyway with a warning)");
        }
        LOG.warn("Export {} run {}: {}", name, run.id(), message);
        return message;
    }

    private Map<String, Object> stepResult() {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("pages", window.pageCount());
        result.put("pagesFetched", pagesFetched.get());
        result.put("pagesFailed", pagesFailed.get());
        result.put("rowsWritten", rowsWritten.get());
        if (incrementalWindow != null) {
            // what the run asked for stays with it once it ended
            result.put("window", incrementalWindow.describe());
        }
        return result;
    }

    @Override
    public void fail(Throwable cause, Exchange exchange) {
        PageRequest page = exchange.getProperty(PagedExport.PAGE, PageRequest.class);
        String where = page == null ? "" : " on page " + (page.index() + 1) + " (" + page.url() + ")";
        if (page != null) {
            pagesFailed.incrementAndGet();
        }
        endFailed("export " + name + " failed" + where + ": " + HttpFailures.describe(cause), "fetch", cause);
    }

    /**
     * Ends the run failed (when it is still live), then drops the temporary file and stops the window.
     * The window is stopped whatever happens to the run's row, or the split would wait forever. A run
     * that had already ended is left to whoever ended it, who stops the window once the end is on
     * record: a parallel split ends as soon as its window stops, without waiting for the pages still in
     * flight, and the run must not look live to whoever waited for the route (a page cut off because
     * another page failed the run lands here while that one is still being recorded).
     */
    private void endFailed(String message, String step, Throwable cause) {
        if (!run.claimEnd()) {
            return;
        }
        try (MDC.MDCCloseable ignored = MDC.putCloseable(RunHandle.MDC_KEY, String.valueOf(run.id()))) {
            try {
                runs.steps().write(run.id(), 1, "fetch", RunStatus.FAILED, pagesFetched.get(), stepResult(), message);
            } catch (RuntimeException databaseAway) {
                // the run's outcome below is kept until the database answers; the step row is a detail
            }
            run.record(RunStatus.FAILED, message, step);
            LOG.error(message, cause);
        } finally {
            // the temporary file goes before the stopped window lets the route end: nothing of a failed run is
            // left when it has
            window.fail(new IllegalStateException(message, cause), output::abort);
        }
    }
}
