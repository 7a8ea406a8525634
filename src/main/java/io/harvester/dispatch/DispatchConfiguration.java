package io.harvester.dispatch;

import java.time.ZoneId;

import io.harvester.infra.Beans;
import io.harvester.infra.Storage;
import io.harvester.runs.RunLifecycle;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.util.TimeUtils;
import org.redisson.api.RedissonClient;

/**
 * Binds {@code taskGeneration}, {@code taskSweep} and {@code delayedTasks} (routes/harvester-dispatch.camel.yaml).
 */
public class DispatchConfiguration implements CamelConfiguration {

    @PropertyInject("harvester.dispatch.zone")
    private String zone;
    @PropertyInject("harvester.dispatch.first-hour")
    private int firstHour;
    @PropertyInject("harvester.dispatch.chunk-size")
    private int chunkSize;
    @PropertyInject("harvester.dispatch.stale-after")
    private String staleAfter;
    @PropertyInject("harvester.dispatch.delay-threshold")
    private String delayThreshold;
    @PropertyInject("harvester.dispatch.delay-scan-interval")
    private String delayScanInterval;
    @PropertyInject("harvester.dispatch.delay-key")
    private String delayKey;

    @Override
    public void configure(CamelContext context) throws Exception {
        RunLifecycle lifecycle = Beans.need(context, RunLifecycle.class, getClass());
        RedissonClient redis = Beans.need(context, Storage.class, getClass()).redis();
        context.getRegistry().bind("taskGeneration", new TaskGeneration(lifecycle, redis, ZoneId.of(zone), firstHour, chunkSize));
        context.getRegistry().bind("taskSweep", new TaskSweep(lifecycle, redis, TimeUtils.toDuration(staleAfter)));
        // the status cache's keys (dispatch/status) are no target for delayed tasks
        OwnKeys ownKeys = StatusKeyNames.from(context).ownKeys();
        context.getRegistry().bind("delayedTasks", new DelayedTasks(lifecycle.store().sql(), redis, delayKey, ownKeys,
                TimeUtils.toDuration(delayThreshold), TimeUtils.toDuration(delayScanInterval), chunkSize));
        // started and stopped with the context: registered in JMX while Harvester runs
        context.addService(new DispatchView(context, new DispatchStore(lifecycle.store().sql())), true, true);
    }
}
