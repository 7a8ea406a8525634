package io.harvester.pipeline;

/**
 * A request a pipeline's kind refuses before anything runs or changes: a parameter it does not take, a step it
 * does not have, nothing to retry, a watermark on a pipeline that keeps none. Carries the HTTP status the runs API answers with and the request field at fault.
 */
public class PipelineRefused extends RuntimeException {

    private final int status;
    private final String field;

    public PipelineRefused(int status, String field, String message) {
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
