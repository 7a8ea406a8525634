package io.harvester.runs;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The shared onException handler of pipeline routes: hands the failure to the run it happened in. */
public class RunFailures {

    private static final Logger LOG = LoggerFactory.getLogger(RunFailures.class);

    public void fail(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        RunHandle run = exchange.getProperty(RunHandle.PROPERTY, RunHandle.class);
        if (run != null) {
            run.fail(cause, exchange);
        } else {
            LOG.error("Route {} failed before a run began: {}", exchange.getFromRouteId(),
                    cause == null ? "unknown failure" : cause.getMessage(), cause);
        }
    }
}
