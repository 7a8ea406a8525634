package io.harvester.output;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;

/**
 * Deletes one file a run published, and only when it really lies inside that run's output folder
 * ({@link RunOutputFile} says which files do; the others are left alone). A file already gone is not an
 * error: a sweep cut short after its files went finds them missing the next time.
 */
public final class OutputFileRemoval {

    /** What happened to the file. */
    public enum Outcome {
        DELETED, MISSING, SKIPPED, FAILED
    }

    /** The outcome, the bytes freed (DELETED only) and why, when SKIPPED or FAILED. */
    public record Result(Outcome outcome, long bytes, String reason) {
    }

    private OutputFileRemoval() {
    }

    /** Removes {@code file} (relative to {@code outputDir}, or absolute) when it is a regular file inside that folder. */
    public static Result remove(String outputDir, String file) {
        RunOutputFile.Located located = RunOutputFile.locate(outputDir, file);
        if (!located.found()) {
            return switch (located.refusal()) {
                case MISSING -> new Result(Outcome.MISSING, 0, null);
                case OUTSIDE -> skipped(located.reason());
                case FAILED -> new Result(Outcome.FAILED, 0, located.reason());
            };
        }
        try {
            // unlink never follows a symlink: were the file swapped for one meanwhile, the link would go, not its target
            Files.delete(located.real());
            return new Result(Outcome.DELETED, located.bytes(), null);
        } catch (NoSuchFileException e) {
            return new Result(Outcome.MISSING, 0, null);
        } catch (IOException e) {
            return failed(e);
        }
    }

    private static Result skipped(String reason) {
        return new Result(Outcome.SKIPPED, 0, reason);
    }

    private static Result failed(IOException e) {
        return new Result(Outcome.FAILED, 0, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
}
