package io.harvester.runs;

import java.util.concurrent.ExecutorService;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.harvester.http.HttpRetryPolicy;
import io.harvester.http.PipelineBreakerRegistry;
import io.harvester.infra.Beans;
import io.harvester.infra.InstanceId;
import io.harvester.infra.Storage;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds what every pipeline route uses: the run repository, the run lifecycle, its heartbeat and retention, the {@code trigger:}
 * component, the shared failure and retry beans, and one page pool for all exports.
 */
public class RunsConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(RunsConfiguration.class);

    @PropertyInject("harvester.http.max-retry-after-ms")
    private long maxRetryAfterMs;
    @PropertyInject("harvester.http.backoff-initial-ms")
    private long backoffInitialMs;
    @PropertyInject("harvester.http.backoff-max-ms")
    private long backoffMaxMs;

    @Override
    public void configure(CamelContext context) {
        RunSettings settings = RunSettings.from(context);
        String instance = InstanceId.get();
        RunRepository runs = new RunRepository(Beans.need(context, Storage.class, getClass()).dataSource(), instance);
        int abandoned = runs.heartbeats().abandonRunsOf(instance);
        if (abandoned > 0) {
            LOG.warn("{} run(s) left live by a previous process of this instance ({}) marked abandoned", abandoned, instance);
        }
        RunLifecycle lifecycle = new RunLifecycle(runs, settings.outputDir());
        RunHeartbeat heartbeat = new RunHeartbeat(lifecycle, settings.staleAfterMs(), settings.heartbeatIntervalMs());
        // before any route starts: a start-up run must not be skipped because of a dead instance's run
        heartbeat.beat();
        context.getRegistry().bind("runHeartbeat", heartbeat);
        context.getRegistry().bind("runRepository", runs);
        context.getRegistry().bind("runLifecycle", lifecycle);
        context.getRegistry().bind("runFailures", new RunFailures());
        context.getRegistry().bind("runRetention", new RunRetention(lifecycle, settings.retentionDays(), settings.retentionBatchSize()));
        HttpRetryPolicy retryPolicy = new HttpRetryPolicy();
        retryPolicy.setMaxRetryAfterMs(maxRetryAfterMs);
        retryPolicy.setBackoffInitialMs(backoffInitialMs);
        retryPolicy.setBackoffMaxMs(backoffMaxMs);
        context.getRegistry().bind("httpRetryPolicy", retryPolicy);
        // camel-resilience4j takes the routes' breakers from the one CircuitBreakerRegistry bound here
        context.getRegistry().bind("pipelineBreakerRegistry", CircuitBreakerRegistry.class, new PipelineBreakerRegistry());
        // One pool for every export's page requests: each export's page window caps its own share, so
        // the pool only has to grow to the sum of running exports' concurrency.
        ExecutorService pages = context.getExecutorServiceManager().newCachedThreadPool(this, "page");
        context.getRegistry().bind("harvesterPagePool", ExecutorService.class, pages);
    }
}
