package io.harvester.http;

import java.io.IOException;

/**
 * Harvester stopped reading an answer on purpose: it is larger than the pipeline's
 * {@code maxResponseBytes}, or the run it was for has ended ({@link RunEndedException}). Asking again would get the same answer,
 * so it is never retried ({@link HttpRetryPolicy}). It is an {@link IOException} because it is thrown
 * while the HTTP client reads the body.
 */
public class RefusedAnswerException extends IOException {

    RefusedAnswerException(String message) {
        super(message);
    }

    /** The body grew past the limit while it was read. */
    public static RefusedAnswerException tooLarge(long maxBytes) {
        return new RefusedAnswerException("the answer is larger than maxResponseBytes = " + maxBytes + " bytes");
    }

    /** The answer's Content-Length says it is past the limit: not a byte of it is read. */
    public static RefusedAnswerException announcedTooLarge(long contentLength, long maxBytes) {
        return new RefusedAnswerException("the answer is " + contentLength
                + " bytes (Content-Length), larger than maxResponseBytes = " + maxBytes + " bytes");
    }

}
