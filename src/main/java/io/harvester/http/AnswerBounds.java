package io.harvester.http;

/**
 * What one answer may take of a pipeline's: its parameters maxResponseBytes, timeoutMs and maxAnswerMs.
 *
 * @param maxBytes    most bytes its body may have
 * @param timeoutMs   longest silence, in force on the socket as its read timeout (named here when it fires)
 * @param maxAnswerMs longest time from the request to the body's last byte; 0 for no limit
 */
public record AnswerBounds(long maxBytes, long timeoutMs, long maxAnswerMs) {

    /** The templates' defaults: 64 MB, 30 s, 10 min. */
    public static final AnswerBounds DEFAULTS = new AnswerBounds(67_108_864, 30_000, 600_000);

    public AnswerBounds withMaxBytes(long maxBytes) {
        return new AnswerBounds(maxBytes, timeoutMs, maxAnswerMs);
    }

    public AnswerBounds withTimeoutMs(long timeoutMs) {
        return new AnswerBounds(maxBytes, timeoutMs, maxAnswerMs);
    }

    public AnswerBounds withMaxAnswerMs(long maxAnswerMs) {
        return new AnswerBounds(maxBytes, timeoutMs, maxAnswerMs);
    }
}
