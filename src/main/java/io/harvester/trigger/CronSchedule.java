package io.harvester.trigger;

import java.time.Instant;
import java.util.Date;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.component.quartz.QuartzEndpoint;
import org.apache.camel.support.service.ServiceHelper;
import org.quartz.CronTrigger;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pipeline's cron as a camel-quartz endpoint ({@code quartz://harvester/<job>}) in the clustered
 * store. The trigger and its job are shared by every instance: whichever instance Quartz gives a tick
 * finds its own endpoint for it (camel-quartz's job matches the trigger key against the routes'
 * endpoints, reaching this one through {@link TriggerEndpoint#getEndpoint()}) and runs its own
 * pipeline route. Stopping never deletes nor pauses the shared trigger (camel-quartz leaves clustered
 * jobs alone): the other instances keep firing it.
 */
final class CronSchedule {

    private static final Logger LOG = LoggerFactory.getLogger(CronSchedule.class);
    /** Quartz group of every pipeline's trigger and job. */
    static final String GROUP = "harvester";
    /** Header of camel-quartz's message: the time the fired trigger was scheduled for. */
    private static final String SCHEDULED_FIRE_TIME = "scheduledFireTime";

    private final TriggerEndpoint trigger;
    private volatile QuartzEndpoint endpoint;
    private Consumer consumer;

    CronSchedule(TriggerEndpoint trigger) {
        this.trigger = trigger;
    }

    /** Quartz's name of the pipeline's trigger and job: export:orders becomes export_orders. */
    String job() {
        return job(trigger.getPipeline());
    }

    static String job(String pipeline) {
        return pipeline.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    private String cron() {
        return trigger.getCron().trim();
    }

    /** The Quartz endpoint once the schedule has started; kept afterwards, so ticks can find it. */
    QuartzEndpoint endpoint() {
        return endpoint;
    }

    /**
     * Hands each tick this instance fires to {@code onTick}, as the time it was scheduled for (a tick
     * fired late after a misfire is scheduled for the moment it fired); false when it did so already.
     * Throws on a cron Quartz cannot parse.
     */
    synchronized boolean start(java.util.function.Consumer<Instant> onTick) throws Exception {
        if (consumer != null) {
            return false;
        }
        if (endpoint == null) {
            CamelContext context = trigger.getCamelContext();
            forgetOtherSchedule(context.getComponent("quartz", QuartzComponent.class).getScheduler());
            // the context name, not the JMX name, goes into the shared job data: it is the same on every instance
            endpoint = context.getEndpoint("quartz://" + GROUP + "/" + job() + "?usingFixedCamelContextName=true&cron="
                    + cron().replace(' ', '+') + "&trigger.misfireInstruction=" + trigger.getMisfire().instruction(),
                    QuartzEndpoint.class);
        }
        Consumer started = endpoint.createConsumer(exchange ->
                onTick.accept(exchange.getMessage().getHeader(SCHEDULED_FIRE_TIME, Date.class).toInstant()));
        ServiceHelper.startService(started);
        consumer = started;
        Scheduler scheduler = trigger.getCamelContext().getComponent("quartz", QuartzComponent.class).getScheduler();
        if (scheduler != null && scheduler.getTrigger(new TriggerKey(job(), GROUP)) == null) {
            LOG.error("Pipeline {}: its schedule started but Quartz has no trigger {}.{} stored: it will not run on cron '{}'"
                    + " until Harvester restarts", trigger.getPipeline(), GROUP, job(), cron());
        }
        return true;
    }

    /**
     * Deletes a pipeline's stored job and trigger (shared by the cluster) and drops the context's cached
     * Quartz endpoints of that job: camel-quartz marks such an endpoint as having added its job and, for a
     * clustered store, never resets the mark, so the endpoint got again would resume a job no longer
     * stored and leave the pipeline without trigger. True when a job was stored.
     */
    static boolean forget(CamelContext context, String pipeline) throws SchedulerException {
        Scheduler scheduler = context.getComponent("quartz", QuartzComponent.class).getScheduler();
        boolean deleted = scheduler != null && scheduler.deleteJob(new JobKey(job(pipeline), GROUP));
        TriggerKey key = new TriggerKey(job(pipeline), GROUP);
        for (Endpoint cached : List.copyOf(context.getEndpoints())) {
            if (cached instanceof QuartzEndpoint quartz && key.equals(quartz.getTriggerKey())) {
                try {
                    context.removeEndpoint(quartz);
                } catch (Exception e) {
                    LOG.warn("Pipeline {}: dropping its old Quartz endpoint {} failed: {}", pipeline, quartz.getEndpointUri(),
                            e.getMessage(), e);
                }
            }
        }
        return deleted;
    }

    /** The next tick as the shared store has it (whichever instance fires it); null before the schedule is stored. */
    Instant nextFireTime() throws SchedulerException {
        Scheduler scheduler = trigger.getCamelContext().getComponent("quartz", QuartzComponent.class).getScheduler();
        Trigger stored = scheduler == null ? null : scheduler.getTrigger(new TriggerKey(job(), GROUP));
        return stored == null || stored.getNextFireTime() == null ? null : stored.getNextFireTime().toInstant();
    }

    synchronized void stop() {
        if (consumer != null) {
            try {
                ServiceHelper.stopAndShutdownService(consumer);
            } finally {
                consumer = null;
            }
        }
    }

    /**
     * The store outlives restarts. When the pipeline's cron or misfire policy was changed, camel-quartz
     * would reschedule the stored trigger on a new cron only, keeping the old policy, and keep the stored
     * job, whose data names the endpoint by its old settings; an instance without the pipeline's route
     * would then make that old endpoint and set the old ones back. Removing both lets this instance store
     * them anew. With instances disagreeing, the last one started wins.
     */
    private void forgetOtherSchedule(Scheduler scheduler) throws Exception {
        Trigger stored = scheduler.getTrigger(new TriggerKey(job(), GROUP));
        if (stored instanceof CronTrigger cron && (!cron.getCronExpression().equals(cron())
                || cron.getMisfireInstruction() != trigger.getMisfire().instruction())) {
            LOG.info("Pipeline {}: schedule changed from cron '{}', misfire instruction {} to cron '{}', misfire {};"
                            + " it is stored anew", trigger.getPipeline(), cron.getCronExpression(),
                    cron.getMisfireInstruction(), cron(), trigger.getMisfire().value());
            forget(trigger.getCamelContext(), trigger.getPipeline());
        }
    }
}
