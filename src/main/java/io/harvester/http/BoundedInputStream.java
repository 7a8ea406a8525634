package io.harvester.http;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.function.BooleanSupplier;

/**
 * An answer's body as the HTTP client reads it, counted byte by byte: past {@code maxBytes}, or once
 * the run it is for has ended, it gives up (the connection is dropped, not drained) and throws
 * {@link RefusedAnswerException}; a read timeout becomes {@link UpstreamStalledException} naming
 * {@code timeoutMs}. Nothing is buffered here: the limit holds before the body can fill the heap.
 */
public final class BoundedInputStream extends FilterInputStream {

    private final long maxBytes;
    private final long timeoutMs;
    private final BooleanSupplier runEnded;
    private final Runnable dropConnection;
    private long count;
    private boolean gaveUp;

    /**
     * @param in             the body as it arrives
     * @param maxBytes       most bytes the body may have
     * @param timeoutMs      the read timeout in force on the connection, named when it fires
     * @param runEnded       true once the run this answer is for has ended
     * @param dropConnection closes the connection without reading the rest (called once, on giving up)
     */
    public BoundedInputStream(InputStream in, long maxBytes, long timeoutMs, BooleanSupplier runEnded, Runnable dropConnection) {
        super(in);
        this.maxBytes = maxBytes;
        this.timeoutMs = timeoutMs;
        this.runEnded = runEnded;
        this.dropConnection = dropConnection;
    }

    /** Bytes of the body read so far. */
    public long count() {
        return count;
    }

    @Override
    public int read() throws IOException {
        checkRun();
        int b;
        try {
            b = super.read();
        } catch (SocketTimeoutException silence) {
            throw stalled(silence);
        }
        if (b >= 0) {
            counted(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        checkRun();
        int n;
        try {
            n = super.read(buffer, offset, length);
        } catch (SocketTimeoutException silence) {
            throw stalled(silence);
        }
        if (n > 0) {
            counted(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        checkRun();
        long skipped;
        try {
            skipped = super.skip(n);
        } catch (SocketTimeoutException silence) {
            throw stalled(silence);
        }
        counted(skipped);
        return skipped;
    }

    /** After giving up the connection is gone: closing the body would try to read the rest of it. */
    @Override
    public void close() throws IOException {
        if (!gaveUp) {
            super.close();
        }
    }

    private void checkRun() throws RefusedAnswerException {
        if (runEnded.getAsBoolean()) {
            giveUp();
            throw RefusedAnswerException.runEnded();
        }
    }

    private void counted(long n) throws RefusedAnswerException {
        count += n;
        if (count > maxBytes) {
            giveUp();
            throw RefusedAnswerException.tooLarge(maxBytes);
        }
    }

    private UpstreamStalledException stalled(SocketTimeoutException silence) {
        giveUp();
        return new UpstreamStalledException(timeoutMs, count, silence);
    }

    private void giveUp() {
        if (!gaveUp) {
            gaveUp = true;
            dropConnection.run();
        }
    }
}
