package io.harvester.output;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * A run's output file under construction (CSV, or JSON Lines; gzip-compressed when asked). It is written to a
 * hidden temporary name next to its final place and renamed atomically only when complete, so the final name
 * never holds a partial file and a failed run leaves earlier exports untouched. Bytes, rows and SHA-256 are
 * those of the file on disk (compressed, when it is).
 */
public final class OutputFile implements AutoCloseable {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final Pattern TEMP_NAME = Pattern.compile("^\\..+\\.run(\\d{1,18})\\.(csv|jsonl)(\\.gz)?\\.tmp$");

    /** What a published file holds. */
    public record Published(Path path, long bytes, long rows, String sha256) {
    }

    private final Path dir;
    private final String baseName;
    private final String extension;
    private final Path temp;
    private final GZIPOutputStream gzip;
    private final FileChannel channel;
    private final MessageDigest digest;
    private final CountingStream counter;
    private final Writer writer;
    private long rows;
    private boolean closed;

    private OutputFile(Path dir, String baseName, String extension, Path temp, boolean compress) throws IOException {
        this.dir = dir;
        this.baseName = baseName;
        this.extension = extension;
        this.temp = temp;
        this.channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        this.digest = sha256();
        this.counter = new CountingStream(new DigestOutputStream(java.nio.channels.Channels.newOutputStream(channel), digest));
        this.gzip = compress ? new GZIPOutputStream(counter, 1 << 16) : null;
        this.writer = new BufferedWriter(new OutputStreamWriter(gzip == null ? counter : gzip, StandardCharsets.UTF_8), 1 << 16);
    }

    /**
     * Opens {@code <dir>/.<name>-<stamp>.<copy>.run<runId>.csv.tmp}, to become {@code <dir>/<name>-<stamp>.csv}.
     * {@code <copy>} is random: two copies of one run (a paused instance's and the one that took the run over,
     * in a shared folder) never write, publish or drop each other's file, whatever their stamps.
     */
    public static OutputFile open(Path dir, String name, long runId, LocalDateTime startedAt) {
        return open(dir, name, runId, startedAt, "csv", false);
    }

    /** As {@link #open(Path, String, long, LocalDateTime)}, for a file of {@code format} ({@code csv}, {@code jsonl}), gzip'd ({@code .gz}) when asked. */
    public static OutputFile open(Path dir, String name, long runId, LocalDateTime startedAt, String format, boolean compress) {
        String baseName = name + "-" + STAMP.format(startedAt);
        String copy = String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
        String extension = "." + format + (compress ? ".gz" : "");
        try {
            Files.createDirectories(dir);
            return new OutputFile(dir, baseName, extension, dir.resolve("." + baseName + "." + copy + ".run" + runId + extension + ".tmp"),
                    compress);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary file in " + dir + ": " + e.getMessage(), e);
        }
    }

    public synchronized void write(CharSequence text, long rowCount) {
        try {
            writer.append(text);
            rows += rowCount;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + temp + ": " + e.getMessage(), e);
        }
    }

    /**
     * Publishes the file, then records it with {@code record} (run rows). When recording fails the
     * published file is removed again, so a file under a final name always belongs to a run that
     * completed; the failure is rethrown.
     */
    public Published publish(Consumer<Published> record) {
        Published file = publish();
        try {
            record.accept(file);
        } catch (RuntimeException e) {
            try {
                Files.deleteIfExists(file.path());
            } catch (IOException deleteFailed) {
                e.addSuppressed(deleteFailed);
            }
            throw e;
        }
        return file;
    }

    /** Flushes to disk and moves the file to its final name; never replaces an existing export. */
    public synchronized Published publish() {
        try {
            writer.flush();
            if (gzip != null) {
                // the compressed stream's trailer, before the bytes are counted and forced to disk
                gzip.finish();
            }
            counter.flush();
            channel.force(true);
            close();
            Path target = dir.resolve(baseName + extension);
            for (int n = 2; Files.exists(target); n++) {
                target = dir.resolve(baseName + "-" + n + extension);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            return new Published(target, counter.count, rows, HexFormat.of().formatHex(digest.digest()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish " + temp + ": " + e.getMessage(), e);
        }
    }

    /** Drops the temporary file; the final name is never touched. */
    public synchronized void abort() {
        // the file first: what is left in the buffers (a gzip trailer) is not written only to be deleted, and a full
        // disk cannot keep the file open through a close that fails
        try {
            channel.close();
        } catch (IOException ignored) {
            // the file is deleted next; a close failure changes nothing
        }
        try {
            close();
        } catch (IOException ignored) {
            // its writes go to the closed file: the buffers are dropped
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + temp + ": " + e.getMessage(), e);
        }
    }

    public Path temp() {
        return temp;
    }

    public long rows() {
        return rows;
    }

    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            try {
                writer.close();
            } finally {
                // a close that fails (its last flush, a gzip trailer) still lets go of the file
                channel.close();
            }
        }
    }

    /** Deletes temporary files left by runs that are no longer live (a killed process leaves them). */
    public static int removeStaleTemps(Path dir, LongPredicate runIsLive) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, ".*.tmp")) {
            for (Path file : files) {
                Matcher m = TEMP_NAME.matcher(file.getFileName().toString());
                if (m.matches() && !runIsLive.test(Long.parseLong(m.group(1)))) {
                    Files.deleteIfExists(file);
                    removed++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean temporary files in " + dir + ": " + e.getMessage(), e);
        }
        return removed;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
    }

    private static final class CountingStream extends java.io.FilterOutputStream {
        private long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
