package io.harvester.runs.logs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A run's log file, {@code <output folder>/runs/<run id>.log}, as its sink appends to it: the bytes,
 * lines and SHA-256 so far, for its run_outputs row. Opened for each batch and closed after it, so a run
 * whose lines stop holds no file handle.
 */
final class RunLogFile {

    private final Path folder;
    private final String relativePath;
    private final MessageDigest digest;
    private long bytes;
    private long lines;

    RunLogFile(Path folder, long runId) {
        this.folder = folder;
        this.relativePath = "runs/" + runId + ".log";
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The path run_outputs names, relative to the run's output folder. */
    String relativePath() {
        return relativePath;
    }

    void append(Iterable<RunLogLine> batch) throws IOException {
        Path file = folder.resolve(relativePath);
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            for (RunLogLine line : batch) {
                byte[] text = line.fileLine().getBytes(StandardCharsets.UTF_8);
                out.write(text);
                digest.update(text);
                bytes += text.length;
                lines++;
            }
        }
    }

    long bytes() {
        return bytes;
    }

    long lines() {
        return lines;
    }

    String sha256() {
        try {
            return HexFormat.of().formatHex(((MessageDigest) digest.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digests of the JDK can be cloned", e);
        }
    }
}
