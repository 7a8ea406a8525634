package io.harvester.output;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Deletes one file a run published, and only when it really lies inside that run's output folder.
 * The path (as {@code run_outputs} holds it, relative to the folder) is resolved with every symlink
 * followed and must come out as the very file it names, strictly under the folder's own real path.
 * Left alone: a {@code ..} leading out, an absolute path elsewhere, a symlink (to anywhere: inside it
 * may point at another run's file), a folder or a device. A file already gone is not an error: a sweep
 * cut short after its files went finds them missing the next time.
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
        if (outputDir == null || outputDir.isBlank()) {
            return skipped("the run has no output folder");
        }
        Path named;
        Path expected;
        Path real;
        Path realFolder;
        try {
            Path folder = Path.of(outputDir);
            named = folder.resolve(file);
            realFolder = folder.toRealPath();
            // where the file is when nothing on its way is a symlink
            expected = realFolder.resolve(file).normalize();
            real = named.toRealPath();
        } catch (InvalidPathException e) {
            return skipped("not a path: " + e.getMessage());
        } catch (NoSuchFileException e) {
            // the folder or the file is gone (or a dangling symlink, which frees nothing and points nowhere)
            return new Result(Outcome.MISSING, 0, null);
        } catch (IOException e) {
            return failed(e);
        }
        if (!real.startsWith(realFolder) || real.equals(realFolder)) {
            return skipped("it is " + real + ", outside the run's output folder " + realFolder);
        }
        if (!real.equals(expected)) {
            return skipped("a symlink on its way leads to " + real);
        }
        try {
            BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile()) {
                return skipped("not a regular file");
            }
            // unlink never follows a symlink: were the file swapped for one meanwhile, the link would go, not its target
            Files.delete(real);
            return new Result(Outcome.DELETED, attributes.size(), null);
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
