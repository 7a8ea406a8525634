package io.harvester.dispatch;

import java.time.Instant;

/** An element to add to a Redis set at a given time. */
public record DelayedTask(String set, String element, Instant due) {
}
