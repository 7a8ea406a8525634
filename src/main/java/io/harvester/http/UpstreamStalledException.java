package io.harvester.http;

import java.net.SocketTimeoutException;

/**
 * The upstream sent nothing for the pipeline's {@code timeoutMs}, before its answer began or in the
 * middle of it. Still a {@link SocketTimeoutException}: a stall is retried like any other timeout.
 */
public class UpstreamStalledException extends SocketTimeoutException {

    /**
     * @param timeoutMs the pipeline's {@code timeoutMs}
     * @param bytesRead bytes of the answer's body read before the silence; negative when it had not begun
     */
    public UpstreamStalledException(long timeoutMs, long bytesRead, SocketTimeoutException cause) {
        super("the upstream sent nothing for timeoutMs = " + timeoutMs + " ms"
                + (bytesRead < 0 ? " after the request" : ", " + bytesRead + (bytesRead == 1 ? " byte" : " bytes") + " into its answer"));
        initCause(cause);
    }
}
