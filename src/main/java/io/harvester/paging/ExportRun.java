package io.harvester.paging;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.harvester.http.HttpFailures;
import io.harvester.runs.RunHandle;
import io.harvester.runs.RunStore;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** One execution of a paged export: its run row, its page window and its CSV under construction. */
final class ExportRun implements RunHandle {

    private static final Logger LOG = LoggerFactory.getLogger(ExportRun.class);

    /** A page rendered to CSV text, waiting for its turn in API order. */
    record Chunk(CharSequence text, int rows) {
    }

    private final long id;
    private final String name;
    private final RunStore runs;
    private final CsvOutput output;
    private final PageWindow<Chunk> window;
    private final AtomicInteger pagesFetched = new AtomicInteger();
    private final AtomicInteger pagesFailed = new AtomicInteger();
    private final AtomicLong rowsWritten = new AtomicLong();
    private static final long PROGRESS_INTERVAL_NANOS = 1_000_000_000L;
    private long lastProgressNanos = System.nanoTime();
    private volatile List<JsonField> columns;

    ExportRun(long id, String name, RunStore runs, CsvOutput output, Pagination pagination, int concurrency) {
        this.id = id;
        this.name = name;
        this.runs = runs;
        this.output = output;
        this.window = new PageWindow<>(pagination, concurrency, this::write);
    }

    @Override
    public long id() {
        return id;
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
    }

    private void write(Chunk chunk) {
        output.write(chunk.text(), chunk.rows());
        rowsWritten.addAndGet(chunk.rows());
        reportProgress();
    }

    /**
     * At most one progress write a second: it runs under the page window's lock, and a database
     * round trip per page would cap a fast export at the database's pace.
     */
    private void reportProgress() {
        int pages = window.pageCount();
        long now = System.nanoTime();
        if (pages <= 0 || now - lastProgressNanos < PROGRESS_INTERVAL_NANOS) {
            return;
        }
        lastProgressNanos = now;
        // 99 at most: the run is complete only once the file is published
        int percent = Math.min(99, (int) (window.written() * 100L / pages));
        runs.progress(id, percent, "fetch page " + window.written() + "/" + pages);
    }

    void publish() {
        if (window.failure() != null) {
            output.abort();
            return;
        }
        if (!window.complete()) {
            throw new IllegalStateException("export " + name + ": pagination stopped after " + window.written()
                    + " pages without reaching its end");
        }
        runs.progress(id, 99, "publish");
        CsvOutput.Published file = output.publish(published -> {
            runs.step(id, 1, "fetch", "completed", pagesFetched.get(), stepResult(), null);
            runs.output(id, published.path().getFileName().toString(), published.bytes(), published.rows(),
                    published.sha256(), true);
            runs.step(id, 2, "publish", "completed", published.rows(),
                    Map.of("path", published.path().toString(), "bytes", published.bytes(), "sha256", published.sha256()),
                    null);
            runs.finish(id, "completed", null);
        });
        LOG.info("Export {} run {} completed: {} pages, {} rows, {} bytes -> {}", name, id, pagesFetched.get(),
                file.rows(), file.bytes(), file.path());
    }

    private Map<String, Object> stepResult() {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("pages", window.pageCount());
        result.put("pagesFetched", pagesFetched.get());
        result.put("pagesFailed", pagesFailed.get());
        result.put("rowsWritten", rowsWritten.get());
        return result;
    }

    @Override
    public void fail(Throwable cause, Exchange exchange) {
        PageRequest page = exchange.getProperty(PagedExport.PAGE, PageRequest.class);
        String where = page == null ? "" : " on page " + (page.index() + 1) + " (" + page.url() + ")";
        String message = "export " + name + " failed" + where + ": " + HttpFailures.describe(cause);
        if (page != null) {
            pagesFailed.incrementAndGet();
        }
        // the run row is ended before the window lets the route go on, so whoever started the run
        // sees it ended when the route returns
        try (MDC.MDCCloseable ignored = MDC.putCloseable("runId", String.valueOf(id))) {
            if (runs.finish(id, "failed", message)) {
                runs.step(id, 1, "fetch", "failed", pagesFetched.get(), stepResult(), message);
                runs.log(id, "fetch", "ERROR", message);
                LOG.error(message, cause);
            }
        }
        window.fail(new IllegalStateException(message, cause));
        output.abort();
    }
}
