package io.harvester.runs;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;
import org.apache.camel.Exchange;

/** See {@link TriggerComponent}. */
public class TriggerEndpoint extends DefaultEndpoint {

    private final String pipeline;
    /** Quartz cron expression; blank or {@code none} for no schedule. */
    private String cron = "";
    /** Fire once when the route starts. */
    private boolean runAtStartup;

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

    boolean hasSchedule() {
        return cron != null && !cron.isBlank() && !"none".equalsIgnoreCase(cron.trim());
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        return new TriggerConsumer(this, processor);
    }

    /** Sending to the endpoint runs the pipeline now, in the caller's thread, and returns its exchange. */
    @Override
    public Producer createProducer() {
        return new DefaultProducer(this) {
            @Override
            public void process(Exchange exchange) throws Exception {
                getComponent().consumer(pipeline).fire(exchange);
            }
        };
    }

    @Override
    public boolean isSingletonProducer() {
        return true;
    }
}
