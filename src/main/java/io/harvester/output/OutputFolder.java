package io.harvester.output;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A pipeline's output folder, checked at start-up so that a folder we cannot write fails then, not mid-run. */
public final class OutputFolder {

    private OutputFolder() {
    }

    /** Creates the folder when missing and proves it writable; throws naming the folder and the pipeline. */
    public static void requireWritable(Path dir, String pipeline) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".harvester-write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException(pipeline + ": output folder " + dir.toAbsolutePath()
                    + " is not writable (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
    }
}
