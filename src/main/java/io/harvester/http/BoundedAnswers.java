package io.harvester.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.client5.http.classic.ExecRuntime;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;

/**
 * The first link of a pipeline's HTTP client chain: every answer's body is read through a
 * {@link BoundedInputStream}, and one whose Content-Length is past {@code maxResponseBytes} is refused
 * before a byte of it is read. camel-http copies a body whole before the route sees it, so this is
 * the one place a page can be stopped before it fills the heap. First in the chain, it sees the body
 * as the client decompressed it: a gzipped answer counts by what it inflates to. Dropping the
 * connection on giving up matters: closing a half-read body would make the client read (and wait
 * for) the rest of it.
 * <p>
 * The read timeout itself is the endpoint's {@code responseTimeout} (the pipeline's timeoutMs), which the
 * client keeps on the socket for the body too; this only names it when it fires. A socket timeout
 * restarts with every byte, so an answer that trickles in is stopped by maxAnswerMs instead: its head
 * by a deadline on the run-limits timer that closes the connection, its body at its next read.
 */
public final class BoundedAnswers implements ExecChainHandler {

    /** Its name in the client's exec chain. */
    public static final String NAME = "harvester-bounded-answers";

    private volatile AnswerBounds bounds = AnswerBounds.DEFAULTS;
    private volatile BooleanSupplier runEnded = () -> false;
    private volatile Timer timer;

    /** The pipeline's bounds on one answer (maxResponseBytes, timeoutMs, maxAnswerMs). */
    public BoundedAnswers bounds(AnswerBounds bounds) {
        this.bounds = bounds;
        return this;
    }

    public AnswerBounds bounds() {
        return bounds;
    }

    /** Answers from now on belong to the run this tells the end of: once it ended they are cut off. */
    public BoundedAnswers runEnded(BooleanSupplier runEnded) {
        this.runEnded = runEnded;
        return this;
    }

    /** Where the deadline on an answer's head is kept: the run-limits timer, one thread for every pipeline. */
    @FunctionalInterface
    public interface Timer {
        Future<?> after(long millis, Runnable action);
    }

    /** Arms the deadline on every answer's head; without a timer only the body is bounded by maxAnswerMs. */
    public BoundedAnswers timer(Timer timer) {
        this.timer = timer;
        return this;
    }

    @Override
    public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        long started = System.nanoTime();
        AnswerBounds limits = bounds;
        BooleanSupplier ended = runEnded;
        Timer deadlines = timer;
        // the socket timeout restarts with every byte of the head too: only closing the connection stops a trickle
        HeadDeadline deadline = limits.maxAnswerMs() > 0 && deadlines != null
                ? new HeadDeadline(deadlines, limits.maxAnswerMs(), scope.execRuntime::discardEndpoint) : null;
        ClassicHttpResponse response;
        try {
            response = chain.proceed(request, scope);
        } catch (IOException | HttpException | RuntimeException failure) {
            if (fired(deadline)) {
                throw UpstreamTimeoutException.headTooSlow(limits.maxAnswerMs(), failure);
            }
            if (failure instanceof SocketTimeoutException silence && !(failure instanceof ConnectTimeoutException)) {
                // not connecting: the wait for the answer's head
                throw UpstreamTimeoutException.silent(limits.timeoutMs(), -1, silence);
            }
            throw failure;
        }
        if (fired(deadline)) {
            // the head arrived as the deadline closed its connection: the body is gone
            throw UpstreamTimeoutException.headTooSlow(limits.maxAnswerMs(), null);
        }
        HttpEntity entity = response.getEntity();
        if (entity == null) {
            return response;
        }
        if (entity.getContentLength() > limits.maxBytes()) {
            scope.execRuntime.discardEndpoint();
            throw RefusedAnswerException.announcedTooLarge(entity.getContentLength(), limits.maxBytes());
        }
        BoundedEntity bounded = new BoundedEntity(entity, limits, started, ended, scope.execRuntime);
        if (entity.getContentLength() < 0) {
            // no length (chunked, or gzipped and inflated by the client): read whole here, through the same bounds, so
            // that camel-http is handed an array with its length; otherwise it copies the answer into a stream cache
            // whose clean-up waits for the end of the whole run (one per page of an export)
            byte[] whole;
            try (InputStream in = bounded.getContent()) {
                whole = in.readAllBytes();
            }
            String type = entity.getContentType();
            response.setEntity(new ByteArrayEntity(whole, type == null ? null : ContentType.parseLenient(type)));
            return response;
        }
        response.setEntity(bounded);
        return response;
    }

    /** Disarms the deadline; true when it had fired already (or is firing), the connection gone. */
    private static boolean fired(HeadDeadline deadline) {
        return deadline != null && !deadline.disarm();
    }

    /**
     * A deadline that either fires or is disarmed, never both. A Future's cancel alone cannot say so: it
     * succeeds while the action is already running, so an answer whose connection the deadline was
     * closing would be reported as the bare "Socket closed" instead of maxAnswerMs.
     */
    private static final class HeadDeadline {
        private static final int ARMED = 0;
        private static final int DISARMED = 1;
        private static final int FIRED = 2;

        private final AtomicInteger state = new AtomicInteger(ARMED);
        private final Future<?> scheduled;

        HeadDeadline(Timer timer, long millis, Runnable action) {
            scheduled = timer.after(millis, () -> {
                if (state.compareAndSet(ARMED, FIRED)) {
                    action.run();
                }
            });
        }

        /** True when disarmed in time; false when it fired. */
        boolean disarm() {
            boolean inTime = state.compareAndSet(ARMED, DISARMED);
            scheduled.cancel(false);
            return inTime;
        }
    }

    /** The answer's entity, its content read through one {@link BoundedInputStream}. */
    private static final class BoundedEntity extends HttpEntityWrapper {

        private final AnswerBounds bounds;
        private final long startedNanos;
        private final BooleanSupplier runEnded;
        private final ExecRuntime runtime;
        private volatile boolean dropped;

        BoundedEntity(HttpEntity entity, AnswerBounds bounds, long startedNanos, BooleanSupplier runEnded, ExecRuntime runtime) {
            super(entity);
            this.bounds = bounds;
            this.startedNanos = startedNanos;
            this.runEnded = runEnded;
            this.runtime = runtime;
        }

        @Override
        public InputStream getContent() throws IOException {
            if (dropped) {
                // asked again to be consumed after giving up: there is nothing left to read
                return InputStream.nullInputStream();
            }
            return new BoundedInputStream(super.getContent(), bounds, startedNanos, runEnded, this::drop);
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            try (InputStream in = getContent()) {
                in.transferTo(out);
            }
        }

        @Override
        public void close() throws IOException {
            if (!dropped) {
                super.close();
            }
        }

        private void drop() {
            dropped = true;
            runtime.discardEndpoint();
        }
    }
}
