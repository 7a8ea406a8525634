package io.harvester.runs.logs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.harvester.runs.LiveRun;
import io.harvester.runs.LogRows;
import io.harvester.runs.RunLifecycle;
import io.harvester.runs.RunRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a daemon's per-run log lines go (docs/runs-api.md, "Runs"): a bounded queue the logging threads offer to
 * ({@link RunLogAppender}), drained by one writer thread into run_logs (one statement a batch) and into
 * each run's file {@code runs/<id>.log} in its output folder, registered in run_outputs. A full queue
 * drops lines, counted in a WARN; a database that is away loses the batch's run_logs rows (the file keeps
 * them), so neither ever holds up a run.
 * <p>
 * Lines of runs this daemon began are taken, and for {@link #GRACE_MILLIS} after its beginning or its
 * last line while it was live, so the lines that report its end belong to it too; a line naming another
 * run (one of another instance, one long over) is not.
 */
public final class RunLogSink extends ServiceSupport {

    static final long GRACE_MILLIS = 60_000;
    private static final int BATCH = 500;
    private static final Logger LOG = LoggerFactory.getLogger(RunLogSink.class);

    private final RunLifecycle lifecycle;
    private final RunRepository runs;
    private final BlockingQueue<RunLogLine> queue;
    private final AtomicLong dropped = new AtomicLong();
    /** Per run: when it last logged while live (written by the logging threads). */
    private final Map<Long, Long> seen = new ConcurrentHashMap<>();
    /** Per run: its output folder, taken from its live handle (so its file needs no database). */
    private final Map<Long, String> folders = new ConcurrentHashMap<>();
    /** The writer thread's own: the open files of runs still logging. */
    private final Map<Long, RunLogFile> files = new HashMap<>();
    private final Consumer<LiveRun> beginListener = this::begun;
    private volatile boolean running;
    private Thread writer;
    private boolean databaseAway;

    public RunLogSink(RunLifecycle lifecycle, int capacity) {
        this.lifecycle = lifecycle;
        this.runs = lifecycle.store();
        this.queue = new ArrayBlockingQueue<>(capacity);
    }

    /**
     * A run begins (on its beginning thread): it is ours from now, with its output folder, even when its
     * first line comes after its end (a sweep says what it did once it ended).
     */
    private void begun(LiveRun run) {
        // seen first: the writer forgets the folders of runs it has not seen
        seen.put(run.id(), System.currentTimeMillis());
        if (run.outputDir() != null) {
            folders.put(run.id(), run.outputDir());
        }
    }

    /** Whether a line of this run is ours to keep; called on the logging thread, so it only reads memory. */
    boolean accepts(long runId) {
        if (runs.fence().isLost(runId)) {
            // the run is another instance's now, with its log file and rows: this copy's lines stay in our own log
            return false;
        }
        long now = System.currentTimeMillis();
        Optional<LiveRun> live = lifecycle.liveRun(runId);
        if (live.isPresent()) {
            seen.put(runId, now);
            if (live.get().outputDir() != null) {
                folders.putIfAbsent(runId, live.get().outputDir());
            }
            return true;
        }
        Long last = seen.get(runId);
        return last != null && now - last < GRACE_MILLIS;
    }

    void offer(RunLogLine line) {
        if (!queue.offer(line)) {
            dropped.incrementAndGet();
        }
    }

    @Override
    protected void doStart() {
        running = true;
        writer = new Thread(this::drain, "harvester-run-logs");
        writer.setDaemon(true);
        writer.start();
        lifecycle.onBegin(beginListener);
        RunLogAppender.attach(this);
    }

    @Override
    protected void doStop() throws InterruptedException {
        RunLogAppender.detach(this);
        lifecycle.removeBeginListener(beginListener);
        running = false;
        writer.join(10_000);
    }

    private void drain() {
        List<RunLogLine> batch = new ArrayList<>(BATCH);
        while (running || !queue.isEmpty()) {
            try {
                RunLogLine first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, BATCH - 1);
                    write(batch);
                    batch.clear();
                }
                long lost = dropped.getAndSet(0);
                if (lost > 0) {
                    LOG.warn("Run logs: {} line(s) dropped, the queue of {} was full", lost, queue.remainingCapacity() + queue.size());
                }
                forgetQuietRuns();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("Run logs: a batch of {} line(s) was not written: {}", batch.size(), e.getMessage());
                batch.clear();
            }
        }
    }

    private void write(List<RunLogLine> batch) {
        try {
            insertRows(batch);
            if (databaseAway) {
                databaseAway = false;
                LOG.info("Run logs: run_logs takes lines again");
            }
        } catch (RuntimeException e) {
            if (!databaseAway) {
                databaseAway = true;
                LOG.warn("Run logs: {} line(s) not written to run_logs, the database refused them ({}); their runs' log files"
                        + " keep them", batch.size(), e.getMessage());
            }
        }
        Map<Long, List<RunLogLine>> byRun = new LinkedHashMap<>();
        batch.forEach(line -> byRun.computeIfAbsent(line.runId(), id -> new ArrayList<>()).add(line));
        byRun.forEach(this::appendToFile);
    }

    /** One statement for the batch ({@link LogRows#writeLines}: lines repeating the run model's own rows are left out). */
    private void insertRows(List<RunLogLine> batch) {
        runs.logs().writeLines(batch.stream().map(line -> new LogRows.Line(line.runId(), line.step(), line.level(),
                line.message(), line.millis(), line.logger())).toList());
    }

    private void appendToFile(long runId, List<RunLogLine> lines) {
        if (runs.fence().isLost(runId)) {
            // lines queued before the run was found lost: its log file (maybe in a shared folder) is the new owner's
            return;
        }
        try {
            RunLogFile file = files.get(runId);
            if (file == null) {
                file = new RunLogFile(folderOf(runId), runId);
                files.put(runId, file);
            }
            file.append(lines);
            runs.outputs().writeLogFile(runId, file.relativePath(), file.bytes(), file.lines(), file.sha256());
        } catch (Exception e) {
            LOG.warn("Run logs: {} line(s) of run {} not written to its log file: {}", lines.size(), runId, e.getMessage());
        }
    }

    /**
     * The run's output folder, on its row from its start ({@link RunLifecycle#begin} gives runs without
     * one of their own {@code <harvester.output-dir>/<kind>-<name>}) and on its live handle: only read
     * here, never written.
     */
    private Path folderOf(long runId) {
        String folder = folders.get(runId);
        if (folder == null) {
            throw new IllegalStateException("run " + runId + " has no output folder");
        }
        return Path.of(folder);
    }

    /** Runs that logged nothing for the grace period and are no longer live here: their lines are all in. */
    private void forgetQuietRuns() {
        long now = System.currentTimeMillis();
        seen.entrySet().removeIf(e -> now - e.getValue() >= GRACE_MILLIS && lifecycle.liveRun(e.getKey()).isEmpty());
        files.keySet().removeIf(id -> !seen.containsKey(id));
        folders.keySet().removeIf(id -> !seen.containsKey(id));
    }
}
