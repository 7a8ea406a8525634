package io.harvester.runs;

import java.nio.file.Path;
import java.util.concurrent.ExecutorService;

import javax.sql.DataSource;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.harvester.http.HttpRetryPolicy;
import io.harvester.http.PipelineBreakerRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds what every pipeline route uses: the run repository, the run lifecycle, its heartbeat and retention, the {@code trigger:}
 * component, the shared failure and retry beans, and one page pool for all exports. Runs after
 * {@code StorageConfiguration}.
 */
public class RunsConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(RunsConfiguration.class);

    @PropertyInject(value = "harvester.http.max-retry-after-ms", defaultValue = "120000")
    private long maxRetryAfterMs;
    @PropertyInject(value = "harvester.runs.stale-after-ms", defaultValue = "300000")
    private long staleAfterMs;
    @PropertyInject(value = "harvester.runs.heartbeat-interval-ms", defaultValue = "30000")
    private long heartbeatIntervalMs;
    @PropertyInject(value = "harvester.http.backoff-initial-ms", defaultValue = "500")
    private long backoffInitialMs;
    @PropertyInject(value = "harvester.http.backoff-max-ms", defaultValue = "30000")
    private long backoffMaxMs;
    @PropertyInject(value = "harvester.runs.retention-days", defaultValue = "30")
    private int retentionDays;
    @PropertyInject(value = "harvester.runs.retention-batch-size", defaultValue = "500")
    private int retentionBatchSize;
    @PropertyInject(value = "harvester.output-dir", defaultValue = "output")
    private String outputDir;

    @Override
    public void configure(CamelContext context) {
        DataSource dataSource = context.getRegistry().lookupByNameAndType("dataSource", DataSource.class);
        String instance = context.getRegistry().lookupByNameAndType("harvesterInstanceId", String.class);
        RunRepository runs = new RunRepository(dataSource, instance);
        int abandoned = runs.heartbeats().abandonRunsOf(instance);
        if (abandoned > 0) {
            LOG.warn("{} run(s) left live by a previous process of this instance ({}) marked abandoned", abandoned, instance);
        }
        RunLifecycle lifecycle = new RunLifecycle(runs, Path.of(outputDir));
        RunHeartbeat heartbeat = new RunHeartbeat(lifecycle, staleAfterMs, heartbeatIntervalMs);
        // before any route starts: a start-up run must not be skipped because of a dead instance's run
        heartbeat.beat();
        context.getRegistry().bind("runHeartbeat", heartbeat);
        context.getRegistry().bind("runRepository", runs);
        context.getRegistry().bind("runLifecycle", lifecycle);
        context.getRegistry().bind("runFailures", new RunFailures());
        context.getRegistry().bind("runRetention", new RunRetention(lifecycle, retentionDays, retentionBatchSize));
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
