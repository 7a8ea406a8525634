package io.harvester.dispatch.status;

import java.util.List;

import io.harvester.infra.LuaScript;
import org.redisson.api.RBatch;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;

/**
 * Applies updates in Redis, each by one call of the {@code status-apply} script (atomic: the task's full
 * record gets the new state when it exists, otherwise {@code id -> state} is stored; an older {@code at}
 * never overwrites a newer one). The calls of one batch are pipelined: one round trip.
 */
final class StatusCache {

    private final RedissonClient redis;
    private final StatusKeys keys;
    private final LuaScript apply;

    StatusCache(RedissonClient redis, StatusKeys keys) {
        this.redis = redis;
        this.keys = keys;
        this.apply = new LuaScript(redis, "status-apply");
    }

    void apply(List<StatusUpdate> updates) {
        if (!updates.isEmpty()) {
            apply.execute(queued(updates), () -> queued(updates));
        }
    }

    private RBatch queued(List<StatusUpdate> updates) {
        RBatch batch = redis.createBatch();
        for (StatusUpdate update : updates) {
            apply.queue(batch, RScript.ReturnType.INTEGER,
                    List.of(keys.record(update.taskId()), keys.states(), keys.statesAt()),
                    update.taskId(), update.state(), String.valueOf(update.at()));
        }
        return batch;
    }
}
