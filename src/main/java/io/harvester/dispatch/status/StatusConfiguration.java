package io.harvester.dispatch.status;

import io.harvester.dispatch.StatusKeyNames;
import io.harvester.infra.Beans;
import io.harvester.infra.InstanceId;
import io.harvester.infra.Storage;
import io.harvester.runs.RunLifecycle;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the status cache's beans (routes/harvester-status.camel.yaml): {@code statusIntake} and
 * {@code statusStore}, the flush. Puts back into the workers' list what a killed predecessor of this
 * instance had taken.
 */
public class StatusConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(StatusConfiguration.class);

    @PropertyInject("harvester.status.completion-size")
    private int completionSize;
    @PropertyInject("harvester.status.take")
    private int take;
    @PropertyInject("harvester.status.completion-interval-ms")
    private long completionInterval;
    @PropertyInject("harvester.status.lease-ms")
    private long leaseMs;

    @Override
    public void configure(CamelContext context) {
        if (take < 1) {
            throw new IllegalArgumentException("harvester.status.take = " + take + ": at least 1");
        }
        if (completionSize < 1) {
            throw new IllegalArgumentException("harvester.status.completion-size = " + completionSize + ": at least 1");
        }
        if (leaseMs < 3 * completionInterval) {
            // the lease is renewed every flush tick: a shorter one would let others take a living instance's batch
            throw new IllegalArgumentException("harvester.status.lease-ms = " + leaseMs
                    + ": at least three times harvester.status.completion-interval-ms (" + completionInterval + ")");
        }
        RunLifecycle lifecycle = Beans.need(context, RunLifecycle.class, getClass());
        RedissonClient redis = Beans.need(context, Storage.class, getClass()).redis();
        StatusKeyNames names = StatusKeyNames.from(context);
        StatusKeys keys = new StatusKeys(names.keyPrefix(), names.queue(), names.recordPrefix(), InstanceId.get());
        StatusQueue queue = new StatusQueue(redis, keys, leaseMs);
        long legacy = LegacyAggregation.drain(context, redis, keys);
        if (legacy > 0) {
            LOG.info("Status cache: {} update(s) an earlier Harvester left in its aggregation repository are now pending", legacy);
        }
        long requeued = queue.requeue();
        if (requeued > 0) {
            LOG.info("Status cache: {} list entr(ies) taken by this instance before it stopped went back to {}", requeued, names.queue());
        }
        StatusStore store = new StatusStore(lifecycle.store().sql(), new StatusPending(redis, keys, leaseMs), completionSize);
        context.getRegistry().bind("statusStore", store);
        context.getRegistry().bind("statusIntake", new StatusIntake(new StatusCache(redis, keys), queue, store, take));
    }
}
