package io.harvester.trigger;

import java.time.Instant;
import java.util.HashMap;

import io.harvester.pipeline.PipelineKind;
import io.harvester.pipeline.PipelineKinds;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.DelegateEndpoint;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;
import org.quartz.SchedulerException;

/**
 * Starts a pipeline route: on a Quartz cron, once when Harvester starts, or on demand when something
 * sends to it (JMX, the runs API, a route, a test). One entry point per pipeline means a route template
 * needs a single {@code from}, whatever starts it.
 * <p>
 * It delegates to its cron's Quartz endpoint: that is how camel-quartz's job, fired on whichever
 * instance of the cluster Quartz chose, finds this instance's pipeline route by its trigger key.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "trigger", title = "Harvester trigger", syntax = "trigger:pipeline",
        consumerOnly = false, category = {Category.SCHEDULING})
public class TriggerEndpoint extends DefaultEndpoint implements DelegateEndpoint {

    @UriPath(description = "The pipeline the route runs, e.g. export:orders, crawl:features or job:test-results-sync")
    @Metadata(required = true)
    private final String pipeline;
    @UriParam(description = "Quartz cron expression (sec min hour day-of-month month day-of-week [year]); none when absent."
            + " Property harvester.schedule.<kind>.<name>.cron replaces it")
    private String cron;
    @UriParam(defaultValue = "false", description = "Fire once when Harvester has started")
    private boolean runAtStartup;
    @UriParam(label = "producer", defaultValue = "false", description = "Sending starts the run in the background and"
            + " returns at once (camel cmd send), instead of running it in the sender's thread")
    private boolean background;
    private CronSchedule schedule;

    /** Where the cron came from when not from the URI (a property), for the message about a bad one. */
    private String cronSource;
    private Misfire misfire = Misfire.FIRE_ONCE_NOW;

    TriggerEndpoint(String uri, TriggerComponent component, String pipeline) {
        super(uri, component);
        this.pipeline = pipeline;
    }

    @Override
    public TriggerComponent getComponent() {
        return (TriggerComponent) super.getComponent();
    }

    public String getPipeline() {
        return pipeline;
    }

    public String getCron() {
        return cron;
    }

    public void setCron(String cron) {
        this.cron = cron;
    }

    public boolean isRunAtStartup() {
        return runAtStartup;
    }

    public void setRunAtStartup(boolean runAtStartup) {
        this.runAtStartup = runAtStartup;
    }

    public boolean isBackground() {
        return background;
    }

    public void setBackground(boolean background) {
        this.background = background;
    }

    String getCronSource() {
        return cronSource;
    }

    /** What the schedule does about ticks missed while no instance could fire them. */
    public Misfire getMisfire() {
        return misfire;
    }

    boolean hasSchedule() {
        return cron != null && !cron.isBlank();
    }

    /** The cron's Quartz side; null without a cron. */
    synchronized CronSchedule schedule() {
        if (schedule == null && hasSchedule()) {
            schedule = new CronSchedule(this);
        }
        return schedule;
    }

    /** When the cron fires next (on any instance of the cluster); null without a cron or before it is scheduled. */
    public Instant nextFireTime() {
        CronSchedule cronSchedule = schedule();
        try {
            return cronSchedule == null ? null : cronSchedule.nextFireTime();
        } catch (SchedulerException e) {
            throw new IllegalStateException("pipeline " + pipeline + ": the Quartz store did not answer: " + e.getMessage(), e);
        }
    }

    /** The cron's Quartz endpoint once scheduled, else this endpoint itself. */
    @Override
    public Endpoint getEndpoint() {
        CronSchedule cronSchedule = schedule();
        Endpoint quartz = cronSchedule == null ? null : cronSchedule.endpoint();
        return quartz != null ? quartz : this;
    }

    /**
     * Decides the schedule, first match wins: {@code harvester.schedule.<kind>.<name>.cron}, the
     * endpoint's {@code cron}, the pipeline kind's default (a job's {@code harvester.jobs.<name>.cron}). The
     * route runs as its kind says (a job's under its execution).
     */
    @Override
    public Consumer createConsumer(Processor processor) {
        PipelineKind kind = PipelineKinds.of(getCamelContext(), pipeline);
        if (!hasSchedule()) {
            kind.defaultCron(getCamelContext(), pipeline).ifPresent(fallback -> {
                cron = fallback.cron();
                cronSource = fallback.source();
            });
        }
        Processor run = kind.runner(getCamelContext(), pipeline, processor);
        ScheduleProperties.value(getCamelContext(), pipeline, ScheduleProperties.CRON).ifPresent(value -> {
            cron = value;
            cronSource = ScheduleProperties.key(pipeline, ScheduleProperties.CRON);
        });
        ScheduleProperties.value(getCamelContext(), pipeline, ScheduleProperties.MISFIRE).ifPresent(value ->
                misfire = Misfire.parse(ScheduleProperties.key(pipeline, ScheduleProperties.MISFIRE), value));
        return new TriggerConsumer(this, run, run != processor, kind);
    }

    /**
     * Sending to the endpoint runs the pipeline now, in the caller's thread, and returns its exchange; with
     * {@code background} it returns at once and the run goes on in a thread of its own (camel-cli-connector
     * runs every CLI action and its status file in one thread, which a run must not hold). A pipeline not
     * running here, stopped, suspended or held by a live route edit is refused at once either way, with the
     * runs API's message; a background start that fails later is a WARN in the log.
     */
    @Override
    public Producer createProducer() {
        return new DefaultProducer(this) {
            @Override
            public void process(Exchange exchange) throws Exception {
                TriggerConsumer consumer = getComponent().consumer(pipeline);
                if (background) {
                    // the caller (camel cmd send) is told now: a refusal in the background would only be a WARN
                    RunStarter.refuseUnlessStarted(getCamelContext(), pipeline);
                    consumer.refuseWhileHeld();
                    getComponent().startInBackground(pipeline, new HashMap<>(exchange.getMessage().getHeaders()));
                } else {
                    consumer.fire(exchange);
                }
            }
        };
    }

    @Override
    public boolean isSingletonProducer() {
        return true;
    }
}
