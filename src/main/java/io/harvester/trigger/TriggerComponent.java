package io.harvester.trigger;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * {@code trigger:<pipeline>[?cron=...&runAtStartup=true]} starts a pipeline route: on a Quartz cron, once
 * at startup, or on demand when something sends to {@code trigger:<pipeline>} (REST, JMX, tests).
 * <p>
 * One entry point per pipeline means a route template needs a single {@code from}, whatever starts it.
 */
public class TriggerComponent extends DefaultComponent {

    private final Map<String, TriggerConsumer> consumers = new ConcurrentHashMap<>();

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        TriggerEndpoint endpoint = new TriggerEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    void register(String pipeline, TriggerConsumer consumer) {
        TriggerConsumer previous = consumers.putIfAbsent(pipeline, consumer);
        if (previous != null && previous != consumer) {
            throw new IllegalStateException("pipeline " + pipeline + " is declared twice (trigger:" + pipeline + ")");
        }
    }

    void unregister(String pipeline, TriggerConsumer consumer) {
        consumers.remove(pipeline, consumer);
    }

    TriggerConsumer consumer(String pipeline) {
        TriggerConsumer consumer = consumers.get(pipeline);
        if (consumer == null) {
            throw new IllegalArgumentException("no pipeline named " + pipeline + " is running (known: "
                    + consumers.keySet() + ")");
        }
        return consumer;
    }
}
