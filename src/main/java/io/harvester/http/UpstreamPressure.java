package io.harvester.http;

import org.apache.camel.Exchange;

/** Told when an upstream pushes back (429 or 5xx) on the attempt an exchange made, so a caller can slow down. */
@FunctionalInterface
public interface UpstreamPressure {
    void pushedBack(Exchange attempt);
}
