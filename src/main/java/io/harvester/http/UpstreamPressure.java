package io.harvester.http;

/** Told when an upstream pushes back (429 or 5xx), so a caller can slow down. */
@FunctionalInterface
public interface UpstreamPressure {
    void pushedBack();
}
