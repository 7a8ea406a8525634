package io.harvester.notify;

import java.util.ArrayList;
import java.util.List;

import io.harvester.runs.RunEvent;
import io.harvester.runs.RunEventListener;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the run events worth a notification ({@link NotifySettings#wanted}) to route {@code harvester-notify}
 * (routes/harvester-notify.camel.yaml) through its {@code seda:} queue, on the thread that recorded them: a run
 * never waits for the webhook. Events recorded before the context started (the start-up abandon of a previous
 * process's runs) wait here until it has.
 */
public final class RunNotifier implements RunEventListener {

    private static final Logger LOG = LoggerFactory.getLogger(RunNotifier.class);
    /** The route's queue: the route's {@code from} names it the same. */
    public static final String QUEUE = "seda:harvester-notify";

    private final NotifySettings settings;
    /** Null until the context started; events meanwhile wait in {@link #early}. */
    private ProducerTemplate queue;
    private final List<RunEvent> early = new ArrayList<>();

    public RunNotifier(NotifySettings settings) {
        this.settings = settings;
    }

    @Override
    public void recorded(RunEvent event) {
        if (!NotifyEvent.of(event).map(what -> settings.wanted(what, event.pipeline())).orElse(false)) {
            return;
        }
        ProducerTemplate ready;
        synchronized (this) {
            ready = queue;
            if (ready == null) {
                early.add(event);
                return;
            }
        }
        send(ready, event);
    }

    /** The context started: events go to the route from now on, those that waited first. */
    public void started(ProducerTemplate template) {
        synchronized (this) {
            // queued before the queue is open to others: an event recorded meanwhile waits for the lock, and comes after
            early.forEach(event -> send(template, event));
            early.clear();
            queue = template;
        }
    }

    private void send(ProducerTemplate template, RunEvent event) {
        try {
            // in only: the seda producer returns once the event is queued
            template.sendBody(QUEUE, event);
        } catch (RuntimeException e) {
            // a full queue (the webhook far behind) or a stopping context: the run goes on regardless
            LOG.warn("Notification of run {} of {} not queued for webhook {}: {}", event.runId(), event.pipeline(),
                    settings.webhook(), e.getMessage());
        }
    }
}
