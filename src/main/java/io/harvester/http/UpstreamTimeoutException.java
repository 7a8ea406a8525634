package io.harvester.http;

import java.net.SocketTimeoutException;

/**
 * The upstream broke one of the pipeline's time bounds: it sent nothing for {@code timeoutMs} (before
 * its answer began or in the middle of it), or its answer was still coming in after {@code maxAnswerMs}.
 * Still a {@link SocketTimeoutException}: it is retried like any other timeout.
 */
public class UpstreamTimeoutException extends SocketTimeoutException {

    private UpstreamTimeoutException(String message) {
        super(message);
    }

    /**
     * @param timeoutMs the pipeline's {@code timeoutMs}
     * @param bytesRead bytes of the answer's body read before the silence; negative when it had not begun
     */
    public static UpstreamTimeoutException silent(long timeoutMs, long bytesRead, SocketTimeoutException cause) {
        UpstreamTimeoutException e = new UpstreamTimeoutException("the upstream sent nothing for timeoutMs = " + timeoutMs
                + " ms" + (bytesRead < 0 ? " after the request" : ", " + bytes(bytesRead) + " into its answer"));
        e.initCause(cause);
        return e;
    }

    /** A trickle: never silent for long, never done. */
    public static UpstreamTimeoutException tooSlow(long maxAnswerMs, long bytesRead) {
        return new UpstreamTimeoutException("the answer was still coming in after maxAnswerMs = " + maxAnswerMs + " ms, "
                + bytes(bytesRead) + " into it");
    }

    /**
     * The status line and headers were still coming in after maxAnswerMs: an upstream sending its head a
     * byte at a time never falls silent for timeoutMs, and the body's bounds only begin after the head.
     */
    public static UpstreamTimeoutException headTooSlow(long maxAnswerMs, Throwable cause) {
        UpstreamTimeoutException e = new UpstreamTimeoutException("the answer's status line and headers were still coming in after maxAnswerMs = "
                + maxAnswerMs + " ms");
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    private static String bytes(long n) {
        return n + (n == 1 ? " byte" : " bytes");
    }
}
