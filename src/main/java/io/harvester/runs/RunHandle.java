package io.harvester.runs;

import org.apache.camel.Exchange;

/**
 * A live run as a pipeline route carries it in exchange property {@link #PROPERTY}; the shared error
 * handling ({@code routes/harvester-pipeline.camel.yaml}) ends it through {@link #fail}.
 */
public interface RunHandle {

    String PROPERTY = "harvesterRun";

    /** MDC key carrying the run id into every log line of the run ([run=N]; camel.main.mdc-logging-keys-pattern). */
    String MDC_KEY = "runId";

    long id();

    /** Ends the run as failed with a message naming what failed; later calls keep the first message. */
    void fail(Throwable cause, Exchange exchange);
}
