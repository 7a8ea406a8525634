package io.harvester.observe;

import javax.sql.DataSource;

import io.harvester.dispatch.StatusKeyNames;
import io.harvester.dispatch.TaskSetSizes;
import io.harvester.infra.Beans;
import io.harvester.infra.FullyStarted;
import io.harvester.infra.Storage;
import io.harvester.runs.RunLifecycle;
import io.harvester.runs.RunSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.cli.connector.DefaultCliConnectorFactory;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.CliConnector;
import org.apache.camel.spi.CliConnectorFactory;
import org.redisson.api.RedissonClient;

/**
 * Operations' view of the daemon (docs/operations.md, "Metrics and health"): each pipeline's circuit breaker under
 * a stable JMX name and as a health check, database and Redis health checks, and Harvester's meters
 * on the registry Camel scrapes at /observe/metrics.
 */
public class ObserveConfiguration implements CamelConfiguration {

    @PropertyInject("camel.metrics.enabled")
    private boolean metricsEnabled;
    @PropertyInject("harvester.observe.probe-timeout-ms")
    private long probeTimeoutMs;
    @PropertyInject("harvester.observe.backlog-max-age-ms")
    private long backlogMaxAgeMs;
    @PropertyInject("harvester.cli-connector.enabled")
    private boolean cliConnector;
    @PropertyInject("harvester.cli-connector.status-interval-ms")
    private int cliStatusIntervalMs;

    @Override
    public void configure(CamelContext context) throws Exception {
        RunLifecycle lifecycle = Beans.need(context, RunLifecycle.class, getClass());
        Storage storage = Beans.need(context, Storage.class, getClass());
        DataSource dataSource = storage.dataSource();
        RedissonClient redis = storage.redis();
        if (cliStatusIntervalMs < 100) {
            // the connector's scheduler takes no interval of 0, and a shorter one spends a core on status files
            throw new IllegalArgumentException("harvester.cli-connector.status-interval-ms = " + cliStatusIntervalMs
                    + ": at least 100 (ms)");
        }
        if (!cliConnector) {
            // camel-cli-connector starts with every context it finds on the class path; this one says no
            DefaultCliConnectorFactory off = new DefaultCliConnectorFactory();
            off.setEnabled(false);
            context.getCamelContextExtension().addContextPlugin(CliConnectorFactory.class, off);
        } else {
            // the connector rewrites its status file every second by default, through the developer consoles: on an
            // idle daemon a fifth of a core (two thirds of it masking each route's JMX attributes) and a database and
            // Redis probe of the health console each time. Set once the context is up: the connector starts early
            FullyStarted.then(context, started -> {
                CliConnector connector = started.hasService(CliConnector.class);
                if (connector != null) {
                    connector.updateDelay(cliStatusIntervalMs);
                }
            });
        }

        // follows the routes as they are added and removed, from the first one on
        PipelineBreakers breakers = new PipelineBreakers();
        context.addLifecycleStrategy(breakers);
        context.getRegistry().bind("pipelineBreakers", breakers);
        breakers.listen(new BreakerViews(context, breakers));

        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health != null) {
            health.register(withContext(StorageHealthCheck.database(dataSource, probeTimeoutMs), context));
            health.register(withContext(StorageHealthCheck.redis(redis, probeTimeoutMs), context));
        }

        if (metricsEnabled) {
            MeterRegistry registry = meterRegistry(context);
            registry.config().meterFilter(new MeterHelp());
            HarvesterMeters meters = new HarvesterMeters(registry, breakers);
            lifecycle.observe(meters);
            lifecycle.onBegin(meters::begun);
            breakers.listen(meters);
            new BacklogGauges(new TaskSetSizes(lifecycle.store().sql(), redis), redis, StatusKeyNames.from(context).queue(), probeTimeoutMs,
                    backlogMaxAgeMs).bindTo(registry);
            new ClusterGauges(lifecycle.store().heartbeats(), RunSettings.from(context).clusterLeaseMs()).bindTo(registry);
        }
    }

    /**
     * The registry camel-micrometer-prometheus scrapes: it takes the one bound as {@code metricsRegistry}
     * when there is one, so binding ours first puts Camel's meters and Harvester's in the same scrape.
     */
    private static MeterRegistry meterRegistry(CamelContext context) {
        MeterRegistry found = context.getRegistry().lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME,
                MeterRegistry.class);
        if (found != null) {
            return found;
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        context.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, registry);
        return registry;
    }

    private static StorageHealthCheck withContext(StorageHealthCheck check, CamelContext context) {
        check.setCamelContext(context);
        return check;
    }
}
