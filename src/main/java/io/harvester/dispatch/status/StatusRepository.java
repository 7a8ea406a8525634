package io.harvester.dispatch.status;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.component.redis.processor.aggregate.RedisAggregationRepository;

/**
 * camel-redis' aggregation repository, with recovery that survives Camel's statistics: the copy it keeps
 * of a completed batch is taken before the aggregator marks how the batch completed, so a recovered batch
 * comes back without {@code CamelAggregatedCompletedBy}. Camel 4.17's recovery task then fails on it (a
 * switch over null) and, being a scheduled task, never runs again: a flush that failed once (database
 * away) would never be retried. The recovered batch is marked {@code force} (and {@code CamelRedelivered}
 * by Camel) before it is handed back.
 */
final class StatusRepository extends RedisAggregationRepository {

    static final String CORRELATION_KEY = "task-status";

    @Override
    public Exchange recover(CamelContext camelContext, String exchangeId) {
        Exchange recovered = super.recover(camelContext, exchangeId);
        if (recovered != null) {
            if (recovered.getProperty(ExchangePropertyKey.AGGREGATED_COMPLETED_BY) == null) {
                recovered.setProperty(ExchangePropertyKey.AGGREGATED_COMPLETED_BY, "force");
            }
            if (recovered.getProperty(ExchangePropertyKey.AGGREGATED_CORRELATION_KEY) == null) {
                recovered.setProperty(ExchangePropertyKey.AGGREGATED_CORRELATION_KEY, CORRELATION_KEY);
            }
        }
        return recovered;
    }
}
