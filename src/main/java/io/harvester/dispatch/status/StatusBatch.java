package io.harvester.dispatch.status;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * The aggregator's strategy (bean {@code statusBatch}): the updates of every exchange, in arrival order,
 * as one list of JSON texts ({@link StatusUpdate#toJson}): plain strings keep the aggregation repository's
 * copy in Redis readable by any later version.
 */
public final class StatusBatch implements AggregationStrategy {

    @Override
    @SuppressWarnings("unchecked")
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        List<String> incoming = newExchange.getMessage().getBody(List.class);
        if (oldExchange == null) {
            newExchange.getMessage().setBody(new ArrayList<>(incoming));
            return newExchange;
        }
        List<String> batch = oldExchange.getMessage().getBody(List.class);
        batch.addAll(incoming);
        return oldExchange;
    }
}
