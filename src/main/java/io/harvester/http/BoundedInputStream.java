package io.harvester.http;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.function.BooleanSupplier;

/**
 * An answer's body as the HTTP client reads it, counted byte by byte. Past {@code maxResponseBytes} it
 * gives up (the connection is dropped, not drained) with {@link RefusedAnswerException}, once the run it
 * is for has ended with {@link RunEndedException} (which the circuit breaker ignores); a read timeout, or a body still coming in after {@code maxAnswerMs},
 * gives up with {@link UpstreamTimeoutException} naming the parameter. Nothing is buffered here: the
 * limit holds before the body can fill the heap.
 */
public final class BoundedInputStream extends FilterInputStream {

    private final AnswerBounds bounds;
    private final long startedNanos;
    private final BooleanSupplier runEnded;
    private final Runnable dropConnection;
    private long count;
    private boolean gaveUp;

    /**
     * @param in             the body as it arrives
     * @param bounds         the pipeline's bounds on one answer
     * @param startedNanos   when the request was sent ({@link System#nanoTime}), for maxAnswerMs
     * @param runEnded       true once the run this answer is for has ended
     * @param dropConnection closes the connection without reading the rest (called once, on giving up)
     */
    public BoundedInputStream(InputStream in, AnswerBounds bounds, long startedNanos, BooleanSupplier runEnded,
                              Runnable dropConnection) {
        super(in);
        this.bounds = bounds;
        this.startedNanos = startedNanos;
        this.runEnded = runEnded;
        this.dropConnection = dropConnection;
    }

    /** Bytes of the body read so far. */
    public long count() {
        return count;
    }

    @Override
    public int read() throws IOException {
        checkTime();
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
        checkTime();
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
        checkTime();
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

    /** Checked before every read: a trickle is never silent for timeoutMs, so only this stops it. */
    private void checkTime() throws IOException {
        if (runEnded.getAsBoolean()) {
            giveUp();
            throw new RunEndedException();
        }
        if (bounds.maxAnswerMs() > 0 && System.nanoTime() - startedNanos > bounds.maxAnswerMs() * 1_000_000) {
            giveUp();
            throw UpstreamTimeoutException.tooSlow(bounds.maxAnswerMs(), count);
        }
    }

    private void counted(long n) throws RefusedAnswerException {
        count += n;
        if (count > bounds.maxBytes()) {
            giveUp();
            throw RefusedAnswerException.tooLarge(bounds.maxBytes());
        }
    }

    private UpstreamTimeoutException stalled(SocketTimeoutException silence) {
        giveUp();
        return UpstreamTimeoutException.silent(bounds.timeoutMs(), count, silence);
    }

    private void giveUp() {
        if (!gaveUp) {
            gaveUp = true;
            dropConnection.run();
        }
    }
}
