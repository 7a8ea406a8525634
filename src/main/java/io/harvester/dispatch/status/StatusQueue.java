package io.harvester.dispatch.status;

import java.util.List;

import io.harvester.infra.LuaScript;
import org.redisson.api.BatchOptions;
import org.redisson.api.RBatch;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * The workers' Redis list as a reliable queue: entries are moved ({@code LMOVE}) into this instance's
 * processing list when taken, and leave it in the same atomic step that applies their update and keeps it
 * in the pending list ({@link StatusCache#applyEach}). What a killed process left in its processing list
 * goes back to the workers' list at the next start of the same instance, or when another instance finds
 * its lease expired ({@link StatusPending#recoverDead}).
 */
final class StatusQueue {

    private final RedissonClient redis;
    private final StatusKeys keys;
    private final LuaScript take;
    private final LuaScript requeue;

    private final long leaseMs;

    StatusQueue(RedissonClient redis, StatusKeys keys, long leaseMs) {
        this.redis = redis;
        this.keys = keys;
        this.leaseMs = leaseMs;
        this.take = new LuaScript(redis, "status-take");
        this.requeue = new LuaScript(redis, "status-requeue");
    }

    /** Up to {@code max} entries, oldest first; now in the processing list. */
    List<String> take(int max) {
        List<String> taken = take.call(RScript.ReturnType.MULTI, List.of(keys.queue(), keys.processing(), keys.lease(), keys.instances()),
                String.valueOf(max), keys.instance(), String.valueOf(leaseMs));
        return taken == null ? List.of() : taken;
    }

    /** Puts back what a previous process of this instance took and did not commit; how many. */
    long requeue() {
        Long moved = requeue.call(RScript.ReturnType.INTEGER, List.of(keys.processing(), keys.queue()));
        return moved == null ? 0 : moved;
    }

    /** Taken entries that could not be handled now: back from the processing list to the workers' list, at once. */
    void putBack(List<String> entries) {
        RBatch batch = redis.createBatch(BatchOptions.defaults().executionMode(BatchOptions.ExecutionMode.IN_MEMORY_ATOMIC));
        for (String entry : entries) {
            batch.getList(keys.processing(), StringCodec.INSTANCE).removeAsync(entry, 1);
            batch.getList(keys.queue(), StringCodec.INSTANCE).addAsync(entry);
        }
        batch.execute();
    }

    /** An entry that is not a status update: kept aside in the rejected list for a human, out of processing. */
    void reject(String entry) {
        RBatch batch = redis.createBatch();
        batch.getList(keys.rejected(), StringCodec.INSTANCE).addAsync(entry);
        batch.getList(keys.processing(), StringCodec.INSTANCE).removeAsync(entry, 1);
        batch.execute();
    }

    int waiting() {
        return redis.getList(keys.queue(), StringCodec.INSTANCE).size();
    }
}
