package io.harvester.crawl;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.harvester.http.HttpFailures;
import io.harvester.paging.CsvFormat;
import io.harvester.paging.CsvOutput;
import io.harvester.runs.RunHandle;
import io.harvester.runs.RunStore;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** One execution of a hierarchy crawl: its run row, its frontier and its checkpoint. */
final class CrawlRun implements RunHandle {

    private static final Logger LOG = LoggerFactory.getLogger(CrawlRun.class);
    private static final long PROGRESS_INTERVAL_NANOS = 1_000_000_000L;
    static final List<String> COLUMNS = List.of("level", "id", "name", "type", "parent_id", "path");

    private final long id;
    private final String name;
    private final int depth;
    private final RunStore runs;
    private final CrawlCheckpoint checkpoint;
    private final CrawlFrontier frontier;
    private final AdaptiveLimit limit;
    private final long breakerWaitMillis;
    private final Map<Lookup, Long> waitingSince = new ConcurrentHashMap<>();
    private volatile boolean rootFailed;
    private volatile String runFailure;
    private long lastProgress = System.nanoTime();

    CrawlRun(long id, String name, int depth, RunStore runs, CrawlCheckpoint checkpoint, CrawlFrontier frontier,
             AdaptiveLimit limit, long breakerWaitMillis) {
        this.id = id;
        this.name = name;
        this.depth = depth;
        this.runs = runs;
        this.checkpoint = checkpoint;
        this.frontier = frontier;
        this.limit = limit;
        this.breakerWaitMillis = breakerWaitMillis;
    }

    @Override
    public long id() {
        return id;
    }

    CrawlFrontier frontier() {
        return frontier;
    }

    AdaptiveLimit limit() {
        return limit;
    }

    /** A lookup answered: record its children, queue theirs, free its slot. */
    void answered(Lookup lookup, List<CrawlNode> children) {
        checkpoint.answered(id, lookup, children, depth);
        waitingSince.remove(lookup);
        limit.succeeded();
        frontier.add(children.stream().filter(c -> c.level() < depth).map(Lookup::of).toList());
        frontier.finished(lookup);
        reportProgress();
    }

    /**
     * A lookup failed after its retries. With the breaker open it waits (up to the breaker wait) and is
     * tried again; otherwise its node is marked failed and the rest of the tree goes on. A failed root
     * call, or a failure outside any lookup, fails the run.
     */
    @Override
    public void fail(Throwable cause, Exchange exchange) {
        Lookup lookup = exchange.getProperty(HierarchyCrawl.LOOKUP, Lookup.class);
        String reason = HttpFailures.describe(cause);
        try (MDC.MDCCloseable ignored = MDC.putCloseable("runId", String.valueOf(id))) {
            if (exchange.getContext().isStopping()) {
                // cut off by the shutdown, not failed: the node stays pending for the run that resumes
                frontier.halt();
                if (lookup != null) {
                    frontier.finished(lookup);
                }
                return;
            }
            if (lookup == null) {
                runFailure = "crawl " + name + " failed: " + reason;
                LOG.error(runFailure, cause);
                frontier.halt();
                return;
            }
            if (HttpFailures.isBreakerOpen(cause)) {
                long since = waitingSince.computeIfAbsent(lookup, l -> System.currentTimeMillis());
                if (System.currentTimeMillis() - since < breakerWaitMillis) {
                    frontier.retryLater(lookup, 1000);
                    return;
                }
                reason = reason + " (waited " + breakerWaitMillis / 1000 + " s for it to close)";
            }
            String message = "crawl " + name + ": lookup of " + lookup.label() + " failed: " + reason;
            runs.log(id, "level-" + lookup.level(), "ERROR", message);
            LOG.error(message, cause);
            if (lookup.parent() == null) {
                rootFailed = true;
                runFailure = message;
            } else {
                checkpoint.failed(id, lookup.parent(), reason);
            }
            frontier.finished(lookup);
        }
    }

    /**
     * Ends the run: interrupted (checkpoint kept), failed, partial or completed with its CSV. When the
     * daemon stops, Camel may not get this far; the run is then left live and marked abandoned at the
     * next start, which continues it like a run a crash interrupted.
     */
    void finish(boolean interrupted, Path directory, LocalDateTime startedAt) {
        recordSteps();
        if (interrupted && frontier.pendingCount() > 0) {
            runs.finish(id, "abandoned", "interrupted by shutdown with " + frontier.pendingCount()
                    + " lookups to go; the next start resumes from the checkpoint");
            LOG.warn("Crawl {} run {} interrupted; checkpoint kept", name, id);
            return;
        }
        if (runFailure != null || rootFailed) {
            runs.finish(id, "failed", runFailure);
            return;
        }
        CsvOutput output = CsvOutput.open(directory, name, id, startedAt);
        try {
            CsvFormat csv = new CsvFormat(false);
            StringBuilder header = new StringBuilder();
            csv.header(COLUMNS, header);
            output.write(header, 0);
            StringBuilder row = new StringBuilder(256);
            checkpoint.eachDepthFirst(id, node -> {
                row.setLength(0);
                csv.values(List.of(String.valueOf(node.level()), node.id(), nullToEmpty(node.name()),
                        nullToEmpty(node.type()), nullToEmpty(node.parentId()), node.path()), row);
                output.write(row, 1);
            });
            CsvOutput.Published file = output.publish();
            runs.output(id, file.path().getFileName().toString(), file.bytes(), file.rows(), file.sha256(), true);
            List<String> failed = checkpoint.failedIds(id);
            if (failed.isEmpty()) {
                runs.finish(id, "completed", null);
            } else {
                runs.finish(id, "partial", failed.size() + " node(s) failed, their subtrees are missing: "
                        + String.join(", ", failed.subList(0, Math.min(20, failed.size())))
                        + (failed.size() > 20 ? ", ..." : ""));
            }
            LOG.info("Crawl {} run {} ended: {} nodes, {} failed -> {}", name, id, file.rows(), failed.size(), file.path());
        } catch (RuntimeException e) {
            output.abort();
            throw e;
        }
    }

    private void recordSteps() {
        recordSteps(checkpoint.countsByLevel(id));
    }

    /** One step per level: nodes found, lookups done, lookups failed; written while the crawl runs too. */
    private void recordSteps(Map<Integer, int[]> counts) {
        for (Map.Entry<Integer, int[]> level : counts.entrySet()) {
            int[] c = level.getValue();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("found", c[0]);
            result.put("fetched", level.getKey() >= depth ? 0 : c[1]);
            result.put("failed", c[2]);
            runs.step(id, level.getKey(), "level-" + level.getKey(), c[2] > 0 ? "partial" : "completed", c[0], result, null);
        }
    }

    private synchronized void reportProgress() {
        long now = System.nanoTime();
        if (now - lastProgress < PROGRESS_INTERVAL_NANOS) {
            return;
        }
        lastProgress = now;
        Map<Integer, int[]> counts = checkpoint.countsByLevel(id);
        int found = counts.values().stream().mapToInt(c -> c[0]).sum();
        int done = counts.values().stream().mapToInt(c -> c[1] + c[2]).sum();
        int percent = found == 0 ? 0 : Math.min(99, done * 100 / found);
        recordSteps(counts);
        runs.progress(id, percent, "crawling: " + done + "/" + found + " nodes, in flight " + frontier.inFlight()
                + ", limit " + limit.current() + "/" + limit.max());
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
