package io.harvester.dispatch;

import io.harvester.infra.Knobs;
import org.apache.camel.CamelContext;

/**
 * The status cache's Redis names ({@code harvester.status.key-prefix}, {@code queue}, {@code record-prefix}),
 * read once: the status cache (dispatch/status) writes under them, delayed tasks keep off them, the metrics
 * read the queue's length.
 */
public record StatusKeyNames(String keyPrefix, String queue, String recordPrefix) {

    public static StatusKeyNames from(CamelContext context) {
        Knobs knobs = new Knobs(context);
        return new StatusKeyNames(
                knobs.value("harvester.status.key-prefix", String.class),
                knobs.value("harvester.status.queue", String.class),
                knobs.value("harvester.status.record-prefix", String.class));
    }

    /** The names as prefixes delayed tasks may not target, each with its property. */
    OwnKeys ownKeys() {
        return new OwnKeys().prefix("harvester.status.key-prefix", keyPrefix).prefix("harvester.status.queue", queue)
                .prefix("harvester.status.record-prefix", recordPrefix);
    }
}
