package io.harvester.dispatch.status;

import java.util.List;

import io.harvester.infra.LuaScript;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * The acknowledged updates on their way to PostgreSQL, in Redis: the pending list every instance appends
 * to and takes from, and each instance's flushing list, the batch it is writing. A batch leaves the
 * flushing list only once its upsert committed; until then it is handed back as it is. An instance renews
 * its lease with every take; once it has expired, any instance puts back what the dead one held.
 */
final class StatusPending {

    private final RedissonClient redis;
    private final StatusKeys keys;
    private final long leaseMs;
    private final LuaScript take;
    private final LuaScript recover;

    StatusPending(RedissonClient redis, StatusKeys keys, long leaseMs) {
        this.redis = redis;
        this.keys = keys;
        this.leaseMs = leaseMs;
        this.take = new LuaScript(redis, "status-flush-take");
        this.recover = new LuaScript(redis, "status-recover");
    }

    /**
     * This instance's batch in flight, else up to {@code max} updates from the pending list (JSON texts);
     * when {@code committed}, the batch in flight is in PostgreSQL and dropped first.
     */
    List<String> take(int max, boolean committed) {
        List<String> taken = take.call(RScript.ReturnType.MULTI,
                List.of(keys.pending(), keys.flushing(), keys.lease(), keys.instances()),
                String.valueOf(max), keys.instance(), String.valueOf(leaseMs), committed ? "1" : "0");
        return taken == null ? List.of() : taken;
    }

    /** The batch in flight is in PostgreSQL. */
    void done() {
        redis.getList(keys.flushing(), StringCodec.INSTANCE).delete();
    }

    /** Puts back what instances whose lease expired held; how many updates and list entries. */
    long recoverDead() {
        Long moved = recover.call(RScript.ReturnType.INTEGER, List.of(keys.instances(), keys.pending(), keys.queue()), keys.prefix());
        return moved == null ? 0 : moved;
    }

    /** Updates waiting for PostgreSQL, across the cluster (in flight batches not counted). */
    int waiting() {
        return redis.getList(keys.pending(), StringCodec.INSTANCE).size();
    }
}
