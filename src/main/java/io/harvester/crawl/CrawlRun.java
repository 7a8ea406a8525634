package io.harvester.crawl;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.harvester.http.HttpFailures;
import io.harvester.output.CsvFormat;
import io.harvester.output.OutputFile;
import io.harvester.pipeline.ProgressClock;
import io.harvester.runs.LiveRun;
import io.harvester.runs.RunHandle;
import io.harvester.runs.RunFenced;
import io.harvester.runs.RunObserver;
import io.harvester.runs.RunRepository;
import io.harvester.runs.RunStatus;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** One execution of a hierarchy crawl: its live run, its frontier and its checkpoint. */
final class CrawlRun implements RunHandle {

    private static final Logger LOG = LoggerFactory.getLogger(CrawlRun.class);
    static final List<String> COLUMNS = List.of("level", "id", "name", "type", "parent_id", "path");

    private final LiveRun live;
    private final long id;
    private final String name;
    private final int depth;
    private final RunRepository runs;
    private final CrawlCheckpoint checkpoint;
    private final CrawlFrontier frontier;
    private final AdaptiveLimit limit;
    private final long breakerWaitMillis;
    private final Map<Lookup, Long> waitingSince = new ConcurrentHashMap<>();
    private volatile boolean rootFailed;
    private volatile String runFailure;
    /** Why the crawl stopped early with its checkpoint intact (a failed write): the next run resumes it. */
    private volatile String checkpointFailure;
    private final ProgressClock progressClock = new ProgressClock();
    /** The crawl's counts as last read, for the run's end in words. */
    private volatile CrawlProgress lastProgress;

    /** A spread crawl's shared frontier (null for a crawl on one instance). */
    private final SpreadFrontier spread;

    CrawlRun(LiveRun live, String name, int depth, CrawlCheckpoint checkpoint, CrawlFrontier frontier,
             AdaptiveLimit limit, long breakerWaitMillis, SpreadFrontier spread) {
        this.spread = spread;
        this.live = live;
        this.id = live.id();
        this.name = name;
        this.depth = depth;
        this.runs = live.store();
        this.checkpoint = checkpoint;
        this.frontier = frontier;
        this.limit = limit;
        this.breakerWaitMillis = breakerWaitMillis;
        limit.onChange(value -> live.level(RunObserver.LIMIT, value));
        // from the counts last read (the end reads them first): no query of its own on the thread that ends the run
        live.summarizedBy(() -> lastProgress == null ? null : lastProgress.summary());
        // the checkpoint stays: the next run continues from it
        live.onAbort(status -> {
            frontier.halt();
            if (live.helping()) {
                // the run's level rows are its owner's
                return;
            }
            try {
                recordSteps(checkpoint.countsByLevel(id), status);
            } catch (RuntimeException databaseAway) {
                // the run's own row says how it ended; its level rows are a detail
            }
        });
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

    /**
     * A lookup answered: free its request slot, record its children and its own "done" in one
     * transaction, then queue the children's lookups. A failed write (the database went away) stops
     * the crawl; the run ends interrupted, so the next run resumes from what was written. Never throws:
     * the lookup is no longer in flight.
     */
    /** The API said its budget is used up: no lookup of this run starts for {@code millis}. */
    void holdFor(long millis) {
        frontier.holdFor(millis);
    }

    void answered(Lookup lookup, List<CrawlNode> children) {
        frontier.answered(lookup);
        waitingSince.remove(lookup);
        live.count(RunObserver.LOOKUPS, 1);
        limit.succeeded();
        List<Lookup> next = List.of();
        try {
            checkpoint.answered(id, lookup, children, depth, !live.helping());
            next = children.stream().filter(c -> c.level() < depth).map(Lookup::of).toList();
        } catch (RuntimeException e) {
            stopOnCheckpointFailure(e);
        } finally {
            frontier.settled(next);
        }
        reportProgress();
    }

    /**
     * A lookup failed after its retries. With the breaker open it waits (up to the breaker wait) and is
     * tried again; otherwise its node is marked failed and the rest of the tree goes on. A failed root
     * call, or a failure outside any lookup, fails the run. Whatever happens here, the lookup's slot is
     * freed: a slot kept by mistake would keep the crawl from ever ending.
     */
    @Override
    public void fail(Throwable cause, Exchange exchange) {
        Lookup lookup = exchange.getProperty(HierarchyCrawl.LOOKUP, Lookup.class);
        if (lookup == null && exchange.getMessage().getBody() instanceof Lookup handedOut) {
            // failed before its request was prepared: still a lookup the frontier counts as in flight
            lookup = handedOut;
        }
        String reason = HttpFailures.describe(cause);
        boolean retried = false;
        try (MDC.MDCCloseable ignored = MDC.putCloseable(RunHandle.MDC_KEY, String.valueOf(id))) {
            if (exchange.getContext().isStopping()) {
                // cut off by the shutdown, not failed: the node stays pending for the run that resumes
                frontier.halt();
                return;
            }
            if (lookup == null) {
                // a failure of the run itself (not a lookup): the route stops here, so the run ends here
                runFailure = "crawl " + name + " failed: " + reason;
                LOG.error(runFailure, cause);
                frontier.halt();
                live.end(RunStatus.FAILED, runFailure, null);
                return;
            }
            if (HttpFailures.isBreakerOpen(cause)) {
                long since = waitingSince.computeIfAbsent(lookup, l -> System.currentTimeMillis());
                if (System.currentTimeMillis() - since < breakerWaitMillis) {
                    frontier.retryLater(lookup, 1000);
                    retried = true;
                    return;
                }
                reason = reason + " (waited " + breakerWaitMillis / 1000 + " s for it to close)";
            }
            String message = "crawl " + name + ": lookup of " + lookup.label() + " failed: " + reason;
            LOG.error(message, cause);
            live.count(RunObserver.LOOKUPS, 1);
            if (lookup.parent() == null) {
                rootFailed = true;
                runFailure = message;
            } else {
                checkpoint.failed(id, lookup.parent(), reason, !live.helping());
            }
            runs.logs().write(id, "level-" + lookup.level(), "ERROR", message);
        } catch (RuntimeException e) {
            // the database went away while recording the failure
            stopOnCheckpointFailure(e);
        } finally {
            if (lookup != null && !retried) {
                frontier.finished(lookup);
            }
        }
    }

    /** A checkpoint write failed (the database went away): take no more lookups; the run ends resumable. */
    private void stopOnCheckpointFailure(RuntimeException e) {
        if (e instanceof RunFenced) {
            // another instance continues the run: RunLifecycle has said so and dropped this copy
            frontier.halt();
            return;
        }
        checkpointFailure = "crawl " + name + " stopped: " + e.getMessage();
        LOG.error(checkpointFailure, e);
        frontier.halt();
    }

    /**
     * Ends the run: interrupted (checkpoint kept), failed, partial or completed with its CSV. Whether
     * lookups are left is read from the checkpoint, not the frontier: a lookup cut off by a shutdown is
     * pending there. A run left with pending lookups ends interrupted, which the next run continues; so
     * does a run whose end meets a database that is away (its checkpoint is what was committed). When
     * a shutdown's timeout cuts the crawl off first, the trigger consumer has already ended it
     * interrupted.
     */
    void finish(boolean interrupted, Path directory, LocalDateTime startedAt) {
        if (live.helping()) {
            // the owner writes the file once no lookup is left anywhere; what this instance claimed and did not make goes back
            try {
                spread.releaseClaims();
            } catch (RuntimeException databaseAway) {
                LOG.warn("Crawl {}: claims on run {} not given back ({}); they hold until this instance's lease runs out",
                        name, id, databaseAway.getMessage());
            }
            LOG.info("Crawl {}: done helping with run {}", name, id);
            return;
        }
        if (!live.isLive()) {
            // interrupted or out of time meanwhile: it ended as it was told
            return;
        }
        try {
            end(interrupted, directory, startedAt);
        } catch (RuntimeException e) {
            if (live.claimEnd()) {
                recordEndFailure(e);
            }
        }
    }

    /**
     * Its end failed. When the database refused (it went away), the checkpoint holds what was committed:
     * the run ends interrupted and the next run resumes it; anything else fails it.
     */
    private void recordEndFailure(RuntimeException e) {
        boolean databaseAway = HttpFailures.isLocal(e);
        String message = databaseAway
                ? "crawl " + name + " stopped: " + e.getMessage() + "; the next run resumes from the checkpoint"
                : "crawl " + name + " failed while ending its run: " + HttpFailures.describe(e);
        LOG.error(message, e);
        live.record(databaseAway ? RunStatus.INTERRUPTED : RunStatus.FAILED, message, null);
    }

    private void end(boolean interrupted, Path directory, LocalDateTime startedAt) {
        Map<Integer, int[]> counts = checkpoint.countsByLevel(id);
        lastProgress = CrawlProgress.of(counts, depth);
        int pending = pending(counts);
        recordSteps(counts, pending == 0 ? null : RunStatus.INTERRUPTED);
        if (runFailure != null || rootFailed) {
            live.end(RunStatus.FAILED, runFailure, null);
            return;
        }
        if (pending > 0) {
            String why = checkpointFailure != null ? checkpointFailure
                    : interrupted ? "stopped by shutdown" : "stopped";
            live.end(RunStatus.INTERRUPTED, why + " with " + pending
                    + " lookups to go; the next run resumes from the checkpoint", null);
            LOG.warn("Crawl {} run {} {} with {} lookups to go; checkpoint kept", name, id,
                    interrupted ? "interrupted" : "stopped", pending);
            return;
        }
        OutputFile output = OutputFile.open(directory, name, id, startedAt);
        List<String> failed;
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
            failed = checkpoint.failedIds(id);
        } catch (RuntimeException e) {
            output.abort();
            throw e;
        }
        RunStatus outcome = failed.isEmpty() ? RunStatus.COMPLETED : RunStatus.PARTIAL;
        String error = failed.isEmpty() ? null : failed.size() + " node(s) failed, their subtrees are missing: "
                + String.join(", ", failed.subList(0, Math.min(20, failed.size()))) + (failed.size() > 20 ? ", ..." : "");
        if (!live.claimEnd()) {
            output.abort();
            return;
        }
        OutputFile.Published file;
        try {
            // no file under a final name for a copy another instance took over meanwhile
            runs.fence().check(id);
            file = output.publish(published -> {
                runs.outputs().write(id, published.path().getFileName().toString(), published.bytes(), published.rows(),
                        published.sha256(), true);
                live.recordNow(outcome, error);
            });
        } catch (RunFenced lost) {
            output.abort();
            return;
        } catch (RuntimeException e) {
            // the file is withdrawn; with the database away the checkpoint is whole and the next run publishes
            recordEndFailure(e);
            output.abort();
            live.withdrawOutputs();
            return;
        }
        LOG.info("Crawl {} run {} ended: {} nodes, {} failed -> {}", name, id, file.rows(), failed.size(), file.path());
    }

    /**
     * One step per level: nodes found, lookups done, lookups failed; written while the crawl runs too
     * ({@code running}) and at its end ({@code completed}, {@code partial}, or the run's own outcome).
     */
    private void recordSteps(Map<Integer, int[]> counts, RunStatus outcome) {
        for (Map.Entry<Integer, int[]> level : counts.entrySet()) {
            int[] c = level.getValue();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("found", c[0]);
            result.put("fetched", level.getKey() >= depth ? 0 : c[1]);
            result.put("failed", c[2]);
            RunStatus status = outcome != null ? outcome : c[2] > 0 ? RunStatus.PARTIAL : RunStatus.COMPLETED;
            runs.steps().write(id, level.getKey(), "level-" + level.getKey(), status, c[0], result, null);
        }
    }

    private void reportProgress() {
        // after the run ended (aborted, lookups still arriving) its step rows are closed: leave them so; a helper
        // leaves them to the run's owner
        if (live.helping() || !live.isLive() || !progressClock.due()) {
            return;
        }
        try {
            writeProgress();
        } catch (RunFenced e) {
            frontier.halt();
        } catch (RuntimeException e) {
            // progress is a view; a failed update must not fail the lookup that happened to report it
            LOG.warn("Crawl {} run {}: progress not recorded: {}", name, id, e.getMessage());
        }
    }

    private void writeProgress() {
        Map<Integer, int[]> counts = checkpoint.countsByLevel(id);
        CrawlProgress progress = CrawlProgress.of(counts, depth);
        lastProgress = progress;
        recordSteps(counts, RunStatus.RUNNING);
        runs.progress(id, progress.percent(), "crawling: " + (progress.done() + progress.failed()) + "/" + progress.known()
                + " nodes known, about " + progress.estimated() + " in all, in flight " + frontier.inFlight()
                + ", limit " + limit.current() + "/" + limit.max());
    }

    /** Lookups still to make: nodes found whose own lookup is neither done nor failed (leaves are done at once). */
    private static int pending(Map<Integer, int[]> counts) {
        return counts.values().stream().mapToInt(c -> c[0] - c[1] - c[2]).sum();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
