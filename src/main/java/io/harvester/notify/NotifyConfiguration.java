package io.harvester.notify;

import java.util.Set;

import io.harvester.infra.Beans;
import io.harvester.infra.FullyStarted;
import io.harvester.infra.NearestName;
import io.harvester.runs.RunRepository;
import io.harvester.trigger.TriggerComponent;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failure notifications (docs/operations.md, "Failure notifications"): with {@code harvester.notify.url} set, the
 * run events this instance records go to the webhook through route {@code harvester-notify}; empty, nothing listens
 * and the route idles. Binds {@code notifyWebhook}, the route's steps, either way.
 */
public class NotifyConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(NotifyConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        NotifySettings settings = NotifySettings.from(context);
        RunRepository runs = Beans.need(context, RunRepository.class, getClass());
        context.getRegistry().bind("notifyWebhook", new NotifyWebhook(settings, runs));
        if (!settings.on()) {
            return;
        }
        RunNotifier notifier = new RunNotifier(settings);
        runs.events().listen(notifier);
        // the queue holds the events until its route has started
        FullyStarted.then(context, started -> {
            notifier.started(started.createProducerTemplate());
            warnUnknownQuiet(started, settings);
        });
        LOG.info("Failure notifications on: {}", settings);
    }

    /** A quiet pipeline no route runs is most likely misspelt: said once, with the nearest name (a later edit may add it). */
    private static void warnUnknownQuiet(CamelContext context, NotifySettings settings) {
        Set<String> declared = TriggerComponent.declared(context);
        settings.quietPipelines().stream().filter(name -> !declared.contains(name)).sorted().forEach(name ->
                LOG.warn("harvester.notify.quiet-pipelines names {}, which no route runs{}: its messages are not held back",
                        name, NearestName.suggestion(name, declared)));
    }
}
