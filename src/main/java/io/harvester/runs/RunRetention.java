package io.harvester.runs;

import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.harvester.http.HttpFailures;
import io.harvester.output.OutputFile;
import io.harvester.output.OutputFileRemoval;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention (route {@code system:retention} in routes/harvester-runs.camel.yaml, daily and on demand):
 * deletes finished runs older than {@code harvester.runs.retention-days} with their rows and files. The
 * sweep is a run of its own, whose {@code sweep} step counts what went.
 * <p>
 * Batches of {@code harvester.runs.retention-batch-size} runs, each one short transaction
 * ({@link RunDeletions#deleteExpired}), so a large backlog never holds one long transaction. Within a batch
 * the files go first and the rows after, so nothing is lost track of: a file that cannot be deleted
 * keeps its run whole (retried by the next sweep, the sweep ends failed naming it), and rows whose
 * deletion fails after their files went are found again with their files missing, which is no error.
 * Only files inside the run's own output folder are touched ({@link OutputFileRemoval}).
 */
public class RunRetention {

    public static final String PIPELINE = "system:retention";
    private static final String STEP = "sweep";
    private static final Logger LOG = LoggerFactory.getLogger(RunRetention.class);

    private final RunLifecycle lifecycle;
    private final RunTemplate runs;
    private volatile Collection<String> decidingKinds = List.of();
    private final int retentionDays;
    private final int batchSize;

    public RunRetention(RunLifecycle lifecycle, int retentionDays, int batchSize) {
        if (retentionDays < 1) {
            throw new IllegalArgumentException("harvester.runs.retention-days = " + retentionDays
                    + ": runs must be kept at least 1 day");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("harvester.runs.retention-batch-size = " + batchSize + ": at least 1");
        }
        this.lifecycle = lifecycle;
        this.runs = new RunTemplate(lifecycle);
        this.retentionDays = retentionDays;
        this.batchSize = batchSize;
    }

    /** The kinds whose policy reads a pipeline's newest ended run (a job's): that run is kept whatever its age. */
    public void keepNewestEndedRunOf(Collection<String> kinds) {
        this.decidingKinds = List.copyOf(kinds);
    }

    /** Sweeps once, unless a sweep is live already (then the trigger is recorded as a skipped run). */
    public void sweep(Exchange exchange) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("retentionDays", retentionDays);
        params.put("batchSize", batchSize);
        runs.run(exchange, RunTemplate.Spec.of(PIPELINE, params), HttpFailures::describe, run -> {
            RetentionTally tally = new RetentionTally();
            RunRepository store = lifecycle.store();
            try {
                RunDeletions.RetentionBatch batch;
                long after = 0;
                do {
                    batch = store.deletions().deleteExpired(retentionDays, after, batchSize, decidingKinds,
                            expired -> removeFiles(expired, tally));
                    tally.runsDeleted(batch.deleted());
                    after = batch.lastId();
                    store.progress(run.id(), 0, "deleted " + tally.runs() + " run(s)");
                    // a shutdown interrupts the run between batches; the batch in hand is finished first
                } while (batch.runs().size() == batchSize && run.isLive());
                end(run, tally, tally.failure());
            } catch (RuntimeException e) {
                // the step row still counts what was deleted before the failure
                String message = "retention failed after deleting " + tally.runs() + " run(s): " + HttpFailures.describe(e);
                LOG.error(message, e);
                end(run, tally, tally.failure() == null ? message : message + "; " + tally.failure());
            }
        });
    }

    /** What {@link #delete} did: what the store found and did, the files' counts as a sweep's step shows them, and what failed. */
    public record Deletion(RunDeletions.Deletion run, Map<String, Object> files, String failure) {
    }

    /**
     * Deletes one finished run now (the runs API) as a sweep deletes an expired one, whatever its age:
     * its files first, only those inside its own output folder, then its rows. A file that cannot be
     * deleted keeps the run whole ({@code failure} names it).
     */
    public Deletion delete(long runId) {
        RetentionTally tally = new RetentionTally();
        RunDeletions.Deletion run = lifecycle.store().deletions().deleteFinished(runId, runs -> removeFiles(runs, tally));
        tally.runsDeleted(run.deleted() ? 1 : 0);
        return new Deletion(run, tally.result(), tally.failure());
    }

    /**
     * Deletes the batch's files; returns the runs whose files are all handled (deleted, gone already or
     * left alone), whose rows may go now. Temporary files those runs left are deleted too.
     */
    private Collection<Long> removeFiles(List<RunDeletions.ExpiredRun> runs, RetentionTally tally) {
        Set<Long> handled = new HashSet<>();
        Set<String> folders = new HashSet<>();
        for (RunDeletions.ExpiredRun run : runs) {
            boolean complete = true;
            for (String file : run.outputs()) {
                OutputFileRemoval.Result result = OutputFileRemoval.remove(run.outputDir(), file);
                tally.file(run, file, result);
                complete &= result.outcome() != OutputFileRemoval.Outcome.FAILED;
            }
            if (complete) {
                handled.add(run.id());
                if (run.outputDir() != null) {
                    folders.add(run.outputDir());
                }
            }
        }
        for (String folder : folders) {
            try {
                // only names of the batch's runs match: a live run's temporary file is never touched
                tally.tempFilesDeleted(OutputFile.removeStaleTemps(Path.of(folder), id -> !handled.contains(id)));
            } catch (RuntimeException e) {
                // a run's leftovers; its rows may still go, and start-up removes them like any dead run's
                tally.failed("temporary files in " + folder + " (" + e.getMessage() + ")");
            }
        }
        return handled;
    }

    private void end(LiveRun run, RetentionTally tally, String error) {
        RunStatus status = !run.isLive() ? RunStatus.INTERRUPTED : error == null ? RunStatus.COMPLETED : RunStatus.FAILED;
        RunRepository store = lifecycle.store();
        try {
            store.steps().write(run.id(), 1, STEP, status, tally.runs(), tally.result(), error);
            store.logs().write(run.id(), STEP, "INFO", tally.summary(retentionDays));
            if (tally.skippedFiles() != null) {
                store.logs().write(run.id(), STEP, "WARN", tally.skippedFiles());
            }
        } catch (RuntimeException databaseAway) {
            // the run's own row says how it ended (written when the database answers); these rows are details
        }
        run.end(status, error, STEP);
        LOG.info("{}: {}", PIPELINE, tally.summary(retentionDays));
        if (tally.skippedFiles() != null) {
            LOG.warn("{}: {}", PIPELINE, tally.skippedFiles());
        }
    }
}
