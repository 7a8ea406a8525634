package io.harvester.http;

/**
 * The run an answer was for ended (its maxDurationMs, a cancel, a shutdown) while the answer was still
 * coming in, so Harvester cut it off. Nothing is wrong with the upstream: every pipeline's circuit breaker
 * ignores it ({@link PipelineBreakerRegistry}), or one cancelled run with its pages in flight would open
 * the breaker and the next run would be refused.
 */
public final class RunEndedException extends RefusedAnswerException {

    public RunEndedException() {
        super("the run ended while this answer was still coming in");
    }
}
