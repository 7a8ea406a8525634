package io.harvester.dispatch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.harvester.runs.RunSql;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * How much dispatched work is left: the task sets In Progress (from task_information) and the members
 * still in them (one pipelined SCARD round in Redis). For metrics, read at scrape time, so every wait
 * is bounded: a Redis that does not answer in time fails the read instead of holding the scrape.
 */
public final class TaskSetSizes {

    /** Task sets In Progress and the members left in them. */
    public record Backlog(long sets, long members) {
    }

    private final DispatchStore store;
    private final RedissonClient redis;

    public TaskSetSizes(RunSql sql, RedissonClient redis) {
        this.store = new DispatchStore(sql);
        this.redis = redis;
    }

    /** The backlog now; throws when PostgreSQL or Redis do not answer (Redis within {@code timeoutMs}). */
    public Backlog read(long timeoutMs) throws Exception {
        List<DispatchStore.Open> open = store.inProgress();
        long members = 0;
        for (int size : sizes(redis, open, timeoutMs)) {
            members += size;
        }
        return new Backlog(open.size(), members);
    }

    /**
     * The members left in each of these sets, in their order: one pipelined SCARD round, none for no sets.
     * Throws when Redis does not answer within {@code timeoutMs}.
     */
    static List<Integer> sizes(RedissonClient redis, List<DispatchStore.Open> open, long timeoutMs) throws Exception {
        if (open.isEmpty()) {
            return List.of();
        }
        RBatch batch = redis.createBatch();
        List<RFuture<Integer>> sizes = new ArrayList<>();
        open.forEach(task -> sizes.add(batch.getSet(task.source(), StringCodec.INSTANCE).sizeAsync()));
        batch.executeAsync().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
        List<Integer> counts = new ArrayList<>(sizes.size());
        for (RFuture<Integer> size : sizes) {
            counts.add(size.toCompletableFuture().join()); // the batch is done: each answer is there (0 is an empty set)
        }
        return counts;
    }
}
