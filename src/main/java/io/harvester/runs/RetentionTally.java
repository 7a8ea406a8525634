package io.harvester.runs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.harvester.output.OutputFileRemoval;

/**
 * What one retention sweep did: the counts its step row shows, and the files it left alone or could not
 * delete, named (the first few of each) for its run logs and its error.
 */
final class RetentionTally {

    /** How many files of each kind are named in a message; the rest are counted. */
    private static final int NAMED = 20;

    private long runs;
    private long files;
    private long bytes;
    private long missingFiles;
    private long tempFiles;
    private final Named skipped = new Named();
    private final Named failed = new Named();

    void runsDeleted(int count) {
        runs += count;
    }

    void tempFilesDeleted(int count) {
        tempFiles += count;
    }

    void file(RunDeletions.ExpiredRun run, String file, OutputFileRemoval.Result result) {
        switch (result.outcome()) {
            case DELETED -> {
                files++;
                bytes += result.bytes();
            }
            case MISSING -> missingFiles++;
            case SKIPPED -> skipped.add(where(run, file) + " (" + result.reason() + ")");
            case FAILED -> failed.add(where(run, file) + " (" + result.reason() + "); the run is kept");
        }
    }

    /** Something other than one file failed (a folder's temporary files could not be listed, say). */
    void failed(String what) {
        failed.add(what);
    }

    long runs() {
        return runs;
    }

    /** The step row's result. */
    Map<String, Object> result() {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("runs", runs);
        result.put("files", files);
        result.put("bytes", bytes);
        result.put("skippedFiles", skipped.count);
        result.put("missingFiles", missingFiles);
        result.put("tempFiles", tempFiles);
        result.put("failures", failed.count);
        return result;
    }

    String summary(int retentionDays) {
        return "deleted " + runs + " run(s) finished more than " + retentionDays + " day(s) ago, " + files + " file(s) ("
                + bytes + " bytes) and " + tempFiles + " temporary file(s); " + missingFiles + " file(s) were gone already, "
                + skipped.count + " left alone";
    }

    /** The files left alone, named; null when none. */
    String skippedFiles() {
        return skipped.count == 0 ? null : skipped.count + " file(s) left alone, not regular files inside their run's"
                + " output folder: " + skipped;
    }

    /** Why the sweep fails, naming what could not be deleted; null when nothing failed. */
    String failure() {
        return failed.count == 0 ? null : "retention could not delete " + failed.count + " thing(s): " + failed;
    }

    private static String where(RunDeletions.ExpiredRun run, String file) {
        return "run " + run.id() + " (" + run.pipeline() + "): " + file + " in " + run.outputDir();
    }

    /** A count, and the first few items by name: a sweep's memory does not grow with its backlog. */
    private static final class Named {
        private final List<String> first = new ArrayList<>();
        private long count;

        void add(String item) {
            if (count++ < NAMED) {
                first.add(item);
            }
        }

        @Override
        public String toString() {
            String shown = String.join("; ", first);
            return count > first.size() ? shown + "; and " + (count - first.size()) + " more" : shown;
        }
    }
}
