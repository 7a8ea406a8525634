package io.harvester.trigger;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import io.harvester.infra.Beans;
import io.harvester.infra.Closer;
import io.harvester.infra.PropertyNames;
import io.harvester.infra.Storage;
import io.harvester.pipeline.PipelineKind;
import io.harvester.pipeline.PipelineKinds;
import io.harvester.runs.RunRetention;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilderLifecycleStrategy;
import org.apache.camel.PropertyInject;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives camel-quartz this instance's member of the clustered Quartz store ({@link ClusteredScheduler})
 * instead of the in-memory scheduler it would make: every {@code trigger:} cron then fires once per
 * tick across all instances sharing the database. Once the
 * routes are known, {@code harvester.schedule.*} keys naming no pipeline stop start-up ({@link ScheduleProperties}).
 */
public class ScheduleConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(ScheduleConfiguration.class);

    /** Quartz's scheduler name: instances with the same name share their schedules. */
    @PropertyInject("camel.main.name")
    private String clusterName;
    @PropertyInject("harvester.schedule.threads")
    private int threads;
    @PropertyInject("harvester.schedule.cluster-checkin-interval-ms")
    private long clusterCheckinIntervalMs;
    @PropertyInject("harvester.schedule.misfire-threshold-ms")
    private long misfireThresholdMs;

    @Override
    public void configure(CamelContext context) throws Exception {
        DataSource dataSource = Beans.need(context, Storage.class, getClass()).dataSource();
        ClusteredScheduler member = ClusteredScheduler.join(clusterName, dataSource,
                new ClusteredScheduler.Settings(threads, clusterCheckinIntervalMs, misfireThresholdMs));
        // stopped after the routes, before the dataSource (services stop in reverse order of adding)
        context.addService(new Closer("quartz scheduler", member::leave), true, true);
        context.getComponent("quartz", QuartzComponent.class).setScheduler(member.scheduler());
        context.addComponent(TriggerComponent.SCHEME, new TriggerComponent());
        context.getRegistry().bind("sharedErrorHandling", RouteBuilderLifecycleStrategy.class, new SharedErrorHandling());
        context.addStartupListener((started, alreadyStarted) -> {
            // once the routes are known, and before the scheduler fires any tick
            if (!alreadyStarted) {
                Set<String> pipelines = TriggerComponent.declared(started);
                ScheduleProperties.requireKnown(PropertyNames.of(started), pipelines);
                ScheduleProperties.requireKnownEnvironment(System.getenv().keySet(), pipelines);
                PipelineKinds.all(started).forEach((name, kind) -> kind.checkAtStartup(started, pipelines.stream()
                        .filter(p -> PipelineKinds.kindName(p).equals(name)).collect(Collectors.toCollection(TreeSet::new))));
                started.getRegistry().findByType(RunRetention.class).forEach(retention -> retention.keepNewestEndedRunOf(
                        PipelineKinds.all(started).values().stream().filter(PipelineKind::readsLastRun).map(PipelineKind::name).toList()));
            }
        });
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStarting(CamelContext starting) {
                try {
                    member.host(starting);
                } catch (Exception e) {
                    throw new IllegalStateException("Quartz scheduler context unavailable: " + e.getMessage(), e);
                }
            }

            @Override
            public void onContextStopping(CamelContext stopping) {
                // before the routes drain: ticks of the coming seconds go to instances that will run them
                try {
                    member.standby();
                } catch (Exception e) {
                    LOG.warn("Quartz scheduler did not go to standby: {}", e.getMessage(), e);
                }
            }
        });
    }
}
