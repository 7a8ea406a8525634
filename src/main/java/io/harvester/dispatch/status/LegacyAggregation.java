package io.harvester.dispatch.status;

import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.redis.processor.aggregate.RedisAggregationRepository;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Updates that a Harvester from before the pending list acknowledged and left in camel-redis' aggregation
 * repository of this instance ({@code <key-prefix>aggregation:<instance>}, waiting batches and failed
 * flushes alike): moved once into the pending list at start-up, so an upgrade loses none of them.
 */
final class LegacyAggregation {

    private LegacyAggregation() {
    }

    /** How many updates were moved (0 when there is no such repository). */
    static long drain(CamelContext context, RedissonClient redis, StatusKeys keys) {
        String name = keys.prefix() + "aggregation:" + keys.instance();
        if (redis.getKeys().countExists(name, name + "-completed") == 0) {
            return 0;
        }
        RedisAggregationRepository repository = new RedisAggregationRepository();
        repository.setRedisson(redis);
        repository.setMapName(name);
        repository.setUseRecovery(true);
        repository.start();
        try {
            // a waiting batch moves to the completed ones, from which every batch is taken exactly once
            for (String key : repository.getKeys()) {
                repository.remove(context, key, repository.get(context, key));
            }
            long moved = 0;
            for (String id : repository.scan(context)) {
                Exchange batch = repository.recover(context, id);
                if (batch != null) {
                    List<?> texts = batch.getMessage().getBody(List.class);
                    for (Object text : texts == null ? List.of() : texts) {
                        redis.getList(keys.pending(), StringCodec.INSTANCE).add(StatusUpdate.fromJson((String) text).toJson());
                        moved++;
                    }
                }
                repository.confirm(context, id);
            }
            return moved;
        } finally {
            repository.stop();
        }
    }
}
