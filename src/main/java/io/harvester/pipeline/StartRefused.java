package io.harvester.pipeline;

/**
 * A start a pipeline's kind refuses before anything runs: a parameter it does not take, a step it does not
 * have, nothing to retry. Carries the HTTP status the runs API answers with and the request field at fault.
 */
public class StartRefused extends RuntimeException {

    private final int status;
    private final String field;

    public StartRefused(int status, String field, String message) {
        super(message, null, false, false);
        this.status = status;
        this.field = field;
    }

    public int status() {
        return status;
    }

    public String field() {
        return field;
    }
}
