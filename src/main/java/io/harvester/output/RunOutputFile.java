package io.harvester.output;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Where a file a run published really is, accepted only when it lies inside that run's output folder.
 * The path (as {@code run_outputs} holds it, relative to the folder) is resolved with every symlink
 * followed and must come out as the very file it names, strictly under the folder's own real path, and be
 * a regular file. Refused: a {@code ..} leading out, an absolute path elsewhere, a folder whose name
 * merely starts like the output folder's ({@code output-evil}), a symlink (to anywhere: inside it may
 * point at another run's file), a folder or a device. Retention deletes ({@link OutputFileRemoval}) and the
 * runs API serves only what this accepts.
 */
public final class RunOutputFile {

    /** Why a file is not served or deleted. */
    public enum Refusal {
        /** The folder or the file is gone (or a dangling symlink). */
        MISSING,
        /** Not a regular file inside the run's folder: left alone. */
        OUTSIDE,
        /** The file system failed to answer. */
        FAILED
    }

    /** The file's real path and size, or why it is refused ({@code reason} says more). */
    public record Located(Path real, long bytes, Refusal refusal, String reason) {
        public boolean found() {
            return refusal == null;
        }
    }

    private RunOutputFile() {
    }

    /** Locates {@code file} (relative to {@code outputDir}, or absolute). */
    public static Located locate(String outputDir, String file) {
        if (outputDir == null || outputDir.isBlank()) {
            return refused(Refusal.OUTSIDE, "the run has no output folder");
        }
        Path expected;
        Path real;
        Path realFolder;
        try {
            Path folder = Path.of(outputDir);
            realFolder = folder.toRealPath();
            // where the file is when nothing on its way is a symlink
            expected = realFolder.resolve(file).normalize();
            real = folder.resolve(file).toRealPath();
        } catch (InvalidPathException e) {
            return refused(Refusal.OUTSIDE, "not a path: " + e.getMessage());
        } catch (NoSuchFileException e) {
            return refused(Refusal.MISSING, null);
        } catch (IOException e) {
            return failed(e);
        }
        // startsWith compares whole name elements: /data/output-evil does not start with /data/output
        if (!real.startsWith(realFolder) || real.equals(realFolder)) {
            return refused(Refusal.OUTSIDE, "it is " + real + ", outside the run's output folder " + realFolder);
        }
        if (!real.equals(expected)) {
            return refused(Refusal.OUTSIDE, "a symlink on its way leads to " + real);
        }
        try {
            BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile()) {
                return refused(Refusal.OUTSIDE, "not a regular file");
            }
            return new Located(real, attributes.size(), null, null);
        } catch (NoSuchFileException e) {
            return refused(Refusal.MISSING, null);
        } catch (IOException e) {
            return failed(e);
        }
    }

    private static Located refused(Refusal refusal, String reason) {
        return new Located(null, 0, refusal, reason);
    }

    private static Located failed(IOException e) {
        return refused(Refusal.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
}
