package io.harvester;

import java.util.List;
import java.util.Map;

import io.harvester.api.ApiConfiguration;
import io.harvester.dispatch.DispatchConfiguration;
import io.harvester.dispatch.status.StatusConfiguration;
import io.harvester.infra.StorageConfiguration;
import io.harvester.jobs.JobsConfiguration;
import io.harvester.notify.NotifyConfiguration;
import io.harvester.observe.ObserveConfiguration;
import io.harvester.reload.LoadedRouteFiles;
import io.harvester.reload.RouteFileReload;
import io.harvester.reload.RouteFiles;
import io.harvester.runs.RunsConfiguration;
import io.harvester.runs.api.RunControlConfiguration;
import io.harvester.runs.api.RunsApiConfiguration;
import io.harvester.runs.logs.RunLogsConfiguration;
import io.harvester.secrets.EnvSecretsFunction;
import io.harvester.trigger.ScheduleConfiguration;
import io.harvester.trigger.TakeoverConfiguration;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.logging.log4j.LogManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the Harvester daemon: camel-main with our configuration classes, routes from {@code routes/}. */
public final class Harvester {

    private static final Logger LOG = LoggerFactory.getLogger(Harvester.class);

    /**
     * The configuration classes, configured in this order. Each finds the beans it builds on by their type
     * ({@code Beans.need}), bound by one listed before it: one listed too early stops start-up naming the bean
     * it lacks. The port check needs nothing and comes first: a taken port is refused before the embedded
     * servers take seconds to start.
     */
    static final List<Class<? extends CamelConfiguration>> CONFIGURATIONS = List.of(
            ServerPorts.class,
            StorageConfiguration.class,
            ScheduleConfiguration.class,
            RunsConfiguration.class,
            RunLogsConfiguration.class,
            JobsConfiguration.class,
            PipelineKindsConfiguration.class,
            TakeoverConfiguration.class,
            RunControlConfiguration.class,
            RunsApiConfiguration.class,
            DispatchConfiguration.class,
            StatusConfiguration.class,
            ApiConfiguration.class,
            ObserveConfiguration.class,
            NotifyConfiguration.class);

    private Harvester() {
    }

    /**
     * Runs the daemon until SIGTERM. A start-up that fails is one ERROR line naming what is wrong (the
     * stack trace follows at DEBUG), then the process exits 1 within seconds: left to itself the JVM
     * would stay up with no port, kept alive by the Redis client's threads.
     */
    public static void main(String[] args) {
        Map<String, String> routeFiles = Map.of();
        Main main = create();
        try {
            // application-prod.properties excludes the demo folder from what Camel loads
            routeFiles = RouteFiles.check(RouteFiles.ROUTES, !"prod".equals(ConfigLocations.activeProfile()));
            main.run(args);
        } catch (Throwable e) {
            LOG.error("Harvester did not start: {}", StartupFailure.describe(e, routeFiles));
            LOG.debug("Start-up failure in full", e);
            stop(main);
            LogManager.shutdown();
            System.exit(1);
        }
        // Camel has stopped (a signal, camel stop, camel.main.duration-max-*): the process ends with it. Camel JBang's
        // connector stops the context from a thread of its own, not a daemon, that nothing shuts down; left to
        // itself the JVM would wait for it for good (with a signal the JVM is ending already and this waits for it)
        System.exit(0);
    }

    private static void stop(Main main) {
        try {
            CamelContext context = main.getCamelContext();
            if (context != null) {
                context.stop();
            }
        } catch (RuntimeException e) {
            LOG.debug("Stopping after a failed start-up", e);
        } finally {
            StorageConfiguration.stopEmbedded();
        }
    }

    /** The daemon as production runs it; tests start the same thing. */
    public static Main create() {
        Main main = new Main();
        // live route edits start from the route files as Camel loaded them
        main.setRoutesCollector(new LoadedRouteFiles());
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport support) {
                // before any route or template resolves a placeholder: every {{env:...}} value is a secret
                support.getCamelContext().getPropertiesComponent().addPropertiesFunction(new EnvSecretsFunction());
            }

            @Override
            public void afterConfigure(BaseMainSupport support) {
                // live route edits go through Harvester's checks and wait for runs in progress (RouteFileReload)
                try {
                    RouteFileReload.takeOverCamelsWatcher(support.getCamelContext(), support.configure(),
                            support.getRoutesCollector() instanceof LoadedRouteFiles loaded ? loaded.texts() : Map.of());
                } catch (Exception e) {
                    throw new IllegalStateException("live route edits cannot be set up: " + e.getMessage(), e);
                }
            }
        });
        // Our profile picks the property files only. Handing "dev" to Camel as well would switch on its
        // developer mode (message history, tracing, extended statistics) on every exchange of a daemon.
        main.setPropertyPlaceholderLocations(ConfigLocations.forProfile(ConfigLocations.activeProfile()));
        ServerEnvironment.overrides(System.getenv(), System.getProperties()).forEach(main::addOverrideProperty);
        CONFIGURATIONS.forEach(main.configure()::addConfiguration);
        return main;
    }
}
