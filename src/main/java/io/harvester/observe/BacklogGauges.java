package io.harvester.observe;

import java.util.concurrent.TimeUnit;

import io.harvester.dispatch.TaskSetSizes;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatched work waiting in Redis, as gauges: task sets In Progress, the members left in them, and the
 * workers' status list. Read at scrape time, at most once per {@code maxAgeMs} whatever the scrape rate,
 * each read bounded by {@code timeoutMs}; a server that is away makes its gauges NaN (the scrape itself
 * still answers) and is logged once until it answers again.
 */
final class BacklogGauges {

    private static final Logger LOG = LoggerFactory.getLogger(BacklogGauges.class);

    private record Sample(double sets, double members, double queue) {
    }

    private final BoundedCall<TaskSetSizes.Backlog> taskSets;
    private final RedissonClient redis;
    private final String statusQueue;
    private final long timeoutMs;
    private final long maxAgeMs;
    private Sample last = new Sample(Double.NaN, Double.NaN, Double.NaN);
    private long takenAtNanos;
    private boolean taken;
    private boolean failing;

    BacklogGauges(TaskSetSizes taskSets, RedissonClient redis, String statusQueue, long timeoutMs, long maxAgeMs) {
        this.taskSets = new BoundedCall<>("the task sets", () -> taskSets.read(timeoutMs));
        this.redis = redis;
        this.statusQueue = statusQueue;
        this.timeoutMs = timeoutMs;
        this.maxAgeMs = maxAgeMs;
    }

    /** Supplier gauges: Micrometer holds them strongly (an object gauge would be weakly held and read NaN once collected). */
    void bindTo(MeterRegistry registry) {
        Gauge.builder("harvester.dispatch.task.sets", () -> sample().sets())
                .description("Task sets In Progress (task_information)").register(registry);
        Gauge.builder("harvester.dispatch.task.set.members", () -> sample().members())
                .description("Members left in the task sets In Progress (SCARD in Redis)").register(registry);
        Gauge.builder("harvester.status.queue.size", () -> sample().queue())
                .description("Status reports waiting in the workers' Redis list (harvester.status.queue)").register(registry);
    }

    private synchronized Sample sample() {
        long now = System.nanoTime();
        if (taken && now - takenAtNanos < TimeUnit.MILLISECONDS.toNanos(maxAgeMs)) {
            return last;
        }
        double sets = Double.NaN;
        double members = Double.NaN;
        double queue = Double.NaN;
        String failure = null;
        try {
            TaskSetSizes.Backlog backlog = taskSets.call(timeoutMs);
            sets = backlog.sets();
            members = backlog.members();
        } catch (Exception e) {
            failure = e.toString();
        }
        try {
            queue = redis.getList(statusQueue, StringCodec.INSTANCE).sizeAsync().toCompletableFuture()
                    .get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            failure = failure == null ? e.toString() : failure;
        }
        if (failure != null && !failing) {
            LOG.warn("Metrics: the dispatch backlog was not read ({}); its gauges are NaN until it is", failure);
        }
        failing = failure != null;
        last = new Sample(sets, members, queue);
        // the age counts from the end of the read: a slow failing read is not followed at once by another
        takenAtNanos = System.nanoTime();
        taken = true;
        return last;
    }
}
