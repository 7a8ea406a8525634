package io.harvester.dispatch;

import java.time.ZoneId;

import io.harvester.runs.RunLifecycle;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.util.TimeUtils;
import org.redisson.api.RedissonClient;

/**
 * Binds {@code taskGeneration}, {@code taskSweep} and {@code delayedTasks} (routes/harvester-dispatch.camel.yaml).
 * Runs after {@code RunsConfiguration}.
 */
public class DispatchConfiguration implements CamelConfiguration {

    @PropertyInject(value = "harvester.dispatch.zone", defaultValue = "UTC")
    private String zone;
    @PropertyInject(value = "harvester.dispatch.first-hour", defaultValue = "4")
    private int firstHour;
    @PropertyInject(value = "harvester.dispatch.chunk-size", defaultValue = "1000")
    private int chunkSize;
    @PropertyInject(value = "harvester.dispatch.stale-after", defaultValue = "2h")
    private String staleAfter;
    @PropertyInject(value = "harvester.dispatch.delay-threshold", defaultValue = "1h")
    private String delayThreshold;
    @PropertyInject(value = "harvester.dispatch.delay-scan-interval", defaultValue = "1m")
    private String delayScanInterval;
    @PropertyInject(value = "harvester.dispatch.delay-key", defaultValue = "harvester:delayed")
    private String delayKey;
    // the status cache's keys (dispatch/status): read here only to keep delayed tasks off them
    @PropertyInject(value = "harvester.status.key-prefix", defaultValue = "harvester:status:")
    private String statusKeyPrefix;
    @PropertyInject(value = "harvester.status.queue", defaultValue = "harvester:status:queue")
    private String statusQueue;
    @PropertyInject(value = "harvester.status.record-prefix", defaultValue = "task:")
    private String statusRecordPrefix;

    @Override
    public void configure(CamelContext context) throws Exception {
        RunLifecycle lifecycle = context.getRegistry().lookupByNameAndType("runLifecycle", RunLifecycle.class);
        RedissonClient redis = context.getRegistry().lookupByNameAndType("redisson", RedissonClient.class);
        context.getRegistry().bind("taskGeneration", new TaskGeneration(lifecycle, redis, ZoneId.of(zone), firstHour, chunkSize));
        context.getRegistry().bind("taskSweep", new TaskSweep(lifecycle, redis, TimeUtils.toDuration(staleAfter)));
        OwnKeys ownKeys = new OwnKeys().prefix("harvester.status.key-prefix", statusKeyPrefix)
                .prefix("harvester.status.queue", statusQueue).prefix("harvester.status.record-prefix", statusRecordPrefix);
        context.getRegistry().bind("delayedTasks", new DelayedTasks(lifecycle.store().sql(), redis, delayKey, ownKeys,
                TimeUtils.toDuration(delayThreshold), TimeUtils.toDuration(delayScanInterval), chunkSize));
        // started and stopped with the context: registered in JMX while Harvester runs
        context.addService(new DispatchView(context, new DispatchStore(lifecycle.store().sql())), true, true);
    }
}
