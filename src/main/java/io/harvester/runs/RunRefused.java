package io.harvester.runs;

/**
 * A start refused for the pipeline's state: it is stopped or suspended, or a run of it is live. Nothing
 * was started and nothing recorded; the runs API answers it 409, JMX hands it to the caller.
 */
public class RunRefused extends RuntimeException {

    public RunRefused(String message) {
        super(message);
    }
}
