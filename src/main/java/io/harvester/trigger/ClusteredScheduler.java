package io.harvester.trigger;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzConstants;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance's member of the Quartz cluster: a JDBC job store on the daemon's {@code dataSource},
 * clustered under the cluster name ({@code camel.main.name}, Quartz's {@code SCHED_NAME}), so that
 * each cron tick fires on one instance only and the ticks of an instance that died go to the others.
 * <p>
 * Two members may live in one JVM (tests start two daemons on one database to play two nodes). Quartz
 * keeps JVM-wide registries keyed by the scheduler name and by the data source name: the first would
 * hand the second member the first one's scheduler, so each member leaves it as soon as it exists; the
 * second gets a data source name of its own.
 */
final class ClusteredScheduler {

    private static final Logger LOG = LoggerFactory.getLogger(ClusteredScheduler.class);
    private static final AtomicInteger MEMBERS = new AtomicInteger();

    /** Knobs from application.properties (harvester.schedule.*). */
    record Settings(int threads, long clusterCheckinIntervalMs, long misfireThresholdMs) {
    }

    private final Scheduler scheduler;
    private final String dataSourceName;

    private ClusteredScheduler(Scheduler scheduler, String dataSourceName) {
        this.scheduler = scheduler;
        this.dataSourceName = dataSourceName;
    }

    /** Creates this instance's scheduler (in standby: camel-quartz starts it once the routes have started). */
    static ClusteredScheduler join(String clusterName, DataSource dataSource, Settings settings) throws SchedulerException {
        int member = MEMBERS.incrementAndGet();
        String dataSourceName = "harvester-" + member;
        Properties properties = properties(clusterName, memberId(member), dataSourceName, settings);
        Scheduler scheduler;
        synchronized (MEMBERS) {
            DBConnectionManager.getInstance().addConnectionProvider(dataSourceName, new DataSourceConnectionProvider(dataSource));
            scheduler = new StdSchedulerFactory(properties).getScheduler();
            SchedulerRepository.getInstance().remove(clusterName);
        }
        LOG.info("Schedules in the clustered Quartz store '{}' as member {} ({} threads, check-in every {} ms)",
                clusterName, scheduler.getSchedulerInstanceId(), settings.threads(), settings.clusterCheckinIntervalMs());
        return new ClusteredScheduler(scheduler, dataSourceName);
    }

    static Properties properties(String clusterName, String memberId, String dataSourceName, Settings settings) {
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", clusterName);
        p.setProperty("org.quartz.scheduler.instanceId", memberId);
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        // Camel Main decides when the process ends, not Quartz's threads (a failed start-up must not hang)
        p.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
        p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
        // a scheduled run occupies its thread until it ends; a busy instance takes no new tick, another does
        p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(settings.threads()));
        p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        p.setProperty("org.quartz.jobStore.dataSource", dataSourceName);
        p.setProperty("org.quartz.jobStore.isClustered", "true");
        p.setProperty("org.quartz.jobStore.clusterCheckinInterval", String.valueOf(settings.clusterCheckinIntervalMs()));
        // Without the lock, an instance that read a trigger just before another fired it can take it again
        // with the fire time it read: the same tick twice. Acquiring under Quartz's row lock serialises that.
        p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        // A tick later than this counts as misfired and follows its trigger's misfire instruction (the
        // pipeline's Misfire: once now, or not at all); one less late would fire every tick it missed. Below
        // the shortest cron period, downtime of any length therefore costs at most one catch-up run.
        p.setProperty("org.quartz.jobStore.misfireThreshold", String.valueOf(settings.misfireThresholdMs()));
        // job data as strings (camel-quartz stores only strings): no Java serialization in the database
        p.setProperty("org.quartz.jobStore.useProperties", "true");
        return p;
    }

    /** Unique among the live members: host, process, and which member of this process. */
    private static String memberId(int member) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + ":" + ProcessHandle.current().pid() + ":" + member;
    }

    Scheduler scheduler() {
        return scheduler;
    }

    /**
     * Lets camel-quartz's job find the context by its name, the one every member writes into the shared
     * job data ({@code usingFixedCamelContextName}): camel-quartz itself files the context under its JMX
     * management name, which differs when two contexts share a JVM.
     */
    void host(CamelContext context) throws SchedulerException {
        scheduler.getContext().put(QuartzConstants.QUARTZ_CAMEL_CONTEXT + "-" + context.getName(), context);
    }

    /**
     * Stops taking ticks: the triggers this member had taken for the coming seconds go back to the store,
     * where the other members take them, instead of being dropped by a stopping pipeline.
     */
    void standby() throws SchedulerException {
        if (!scheduler.isShutdown()) {
            scheduler.standby();
        }
    }

    /** Leaves the cluster once the scheduled runs have returned; the shared triggers stay in the store. */
    void leave() throws SchedulerException {
        try {
            scheduler.shutdown(true);
        } finally {
            // the registry is JVM-wide: let go of this member's pool
            DBConnectionManager.getInstance().addConnectionProvider(dataSourceName, null);
        }
    }
}
