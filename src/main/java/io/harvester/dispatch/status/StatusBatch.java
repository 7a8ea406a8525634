package io.harvester.dispatch.status;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * The aggregator's strategy (bean {@code statusBatch}): the updates of every exchange, in arrival order,
 * as one list of JSON texts ({@link StatusUpdate#toJson}): plain strings keep the aggregation repository's
 * copy in Redis readable by any later version.
 *
 * <p>The count is checked before an exchange joins the batch ({@link #preComplete}): a batch that would
 * grow past {@code limit} updates is flushed as it is, and the newcomer starts the next one. So every
 * exchange is written to the repository before its request is answered, and the batch flushed is the very
 * copy the repository holds (a completion predicate would flush a batch whose last part never reached
 * Redis, and lose it with the process).
 */
public final class StatusBatch implements AggregationStrategy {

    private final int limit;

    public StatusBatch(int limit) {
        this.limit = limit;
    }

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

    @Override
    public boolean canPreComplete() {
        return true;
    }

    @Override
    public boolean preComplete(Exchange oldExchange, Exchange newExchange) {
        return oldExchange != null
                && oldExchange.getMessage().getBody(List.class).size() + newExchange.getMessage().getBody(List.class).size() > limit;
    }
}
