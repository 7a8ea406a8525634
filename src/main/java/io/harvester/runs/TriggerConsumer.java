package io.harvester.runs;

import java.util.concurrent.ExecutorService;

import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Feeds a pipeline route from its three sources. The cron schedule is a real Quartz consumer (so
 * misfire handling and, later, clustering come from Quartz); start-up and on-demand runs enter here.
 */
class TriggerConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(TriggerConsumer.class);
    private static final String RUN_ID = "runId";

    private Consumer schedule;
    private ExecutorService startupRunner;

    TriggerConsumer(TriggerEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
    }

    @Override
    public TriggerEndpoint getEndpoint() {
        return (TriggerEndpoint) super.getEndpoint();
    }

    /** Runs the pipeline in the calling thread with the exchange's trigger header (default manual). */
    void fire(Exchange exchange) throws Exception {
        if (exchange.getMessage().getHeader(TriggerKind.HEADER) == null) {
            exchange.getMessage().setHeader(TriggerKind.HEADER, TriggerKind.MANUAL.value());
        }
        try {
            getProcessor().process(exchange);
        } finally {
            // the caller's thread outlives the run; its later log lines must not carry this run's id
            MDC.remove(RUN_ID);
        }
    }

    private void fire(TriggerKind kind) {
        Exchange exchange = createExchange(false);
        exchange.getMessage().setHeader(TriggerKind.HEADER, kind.value());
        try {
            getProcessor().process(exchange);
            if (exchange.getException() != null) {
                getExceptionHandler().handleException("pipeline " + getEndpoint().getPipeline() + " failed", exchange,
                        exchange.getException());
            }
        } catch (Exception e) {
            getExceptionHandler().handleException("pipeline " + getEndpoint().getPipeline() + " failed", exchange, e);
        } finally {
            MDC.remove(RUN_ID);
            releaseExchange(exchange, false);
        }
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        TriggerEndpoint endpoint = getEndpoint();
        endpoint.getComponent().register(endpoint.getPipeline(), this);
        if (endpoint.hasSchedule()) {
            schedule = quartzEndpoint(endpoint).createConsumer(exchange -> fire(TriggerKind.SCHEDULE));
            try {
                ServiceHelper.startService(schedule);
            } catch (Exception e) {
                throw new IllegalArgumentException("pipeline " + endpoint.getPipeline() + ": bad cron '"
                        + endpoint.getCron() + "' (Quartz syntax: sec min hour day-of-month month day-of-week [year]): "
                        + e.getMessage(), e);
            }
            LOG.info("Pipeline {} scheduled with cron '{}'", endpoint.getPipeline(), endpoint.getCron());
        }
        if (endpoint.isRunAtStartup()) {
            startupRunner = endpoint.getCamelContext().getExecutorServiceManager()
                    .newSingleThreadExecutor(this, "startup-" + endpoint.getPipeline());
            // wait for the whole context, so a start-up run never races routes it may call
            endpoint.getCamelContext().addStartupListener((context, alreadyStarted) ->
                    startupRunner.submit(() -> fire(TriggerKind.STARTUP)));
        }
    }

    private Endpoint quartzEndpoint(TriggerEndpoint endpoint) {
        String job = endpoint.getPipeline().replaceAll("[^A-Za-z0-9_.-]", "_");
        String cron = endpoint.getCron().trim().replace(' ', '+');
        return endpoint.getCamelContext().getEndpoint("quartz://harvester/" + job + "?cron=" + cron);
    }

    @Override
    protected void doStop() throws Exception {
        ServiceHelper.stopAndShutdownService(schedule);
        schedule = null;
        if (startupRunner != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdown(startupRunner);
            startupRunner = null;
        }
        getEndpoint().getComponent().unregister(getEndpoint().getPipeline(), this);
        super.doStop();
    }
}
