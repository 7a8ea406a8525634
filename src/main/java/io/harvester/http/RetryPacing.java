package io.harvester.http;

/**
 * Books the moment a retry may be sent, for callers that pace their requests (a crawl's
 * {@code ratePerSecond}): a retry is a request like any other and takes a slot of the same rate.
 */
@FunctionalInterface
public interface RetryPacing {

    /** Books the first slot at least {@code earliestMillis} from now; returns how long to wait for it. */
    long retryDelayMillis(long earliestMillis);
}
