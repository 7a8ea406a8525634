package io.harvester.notify;

import java.net.ConnectException;
import java.util.Optional;

import io.harvester.http.HttpFailures;
import io.harvester.runs.RunEvent;
import io.harvester.runs.RunRepository;
import io.harvester.runs.RunRepository.EndedRun;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Message;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of route {@code harvester-notify} (bean {@code notifyWebhook}): turns a queued run event into the
 * webhook's request ({@link #prepare}), and says once, at WARN, when it was not delivered ({@link #failed}).
 */
public final class NotifyWebhook {

    private static final Logger LOG = LoggerFactory.getLogger(NotifyWebhook.class);
    /** Exchange property: the notification in words, for the WARN of a failed delivery. */
    static final String WHAT = "harvesterNotification";

    private final NotifySettings settings;
    private final RunRepository runs;

    public NotifyWebhook(NotifySettings settings, RunRepository runs) {
        this.settings = settings;
        this.runs = runs;
    }

    /**
     * The notification of the event in the body, if it makes one: a POST of its JSON to {@code harvester.notify.url}
     * with {@code harvester.notify.headers}. A completed run makes one only when it recovers its pipeline
     * ({@link Recovery}, judged by the run before it); otherwise the body becomes null and the route stops.
     */
    public void prepare(Exchange exchange) throws InvalidPayloadException {
        Message message = exchange.getMessage();
        RunEvent event = message.getMandatoryBody(RunEvent.class);
        Optional<Notification> notification = notification(event);
        message.getHeaders().clear();
        if (notification.isEmpty()) {
            message.setBody(null);
            return;
        }
        exchange.setProperty(WHAT, notification.get().what());
        message.setBody(notification.get().json());
        settings.headers().values().forEach(message::setHeader);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
        message.setHeader(Exchange.HTTP_METHOD, "POST");
        message.setHeader(Exchange.HTTP_URI, settings.url());
    }

    Optional<Notification> notification(RunEvent event) {
        return NotifyEvent.of(event).flatMap(what -> {
            if (what != NotifyEvent.RECOVERED) {
                return Optional.of(Notification.of(what, event, Optional.empty()));
            }
            Optional<EndedRun> before = runs.endedBefore(event.pipeline(), event.runId());
            return Recovery.recovered(event.status(), before) ? Optional.of(Notification.of(what, event, before))
                    : Optional.empty();
        });
    }

    /** The delivery failed (the webhook is down, answered an error, timed out, its breaker is open): one WARN. */
    public void failed(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String what = exchange.getProperty(WHAT, String.class);
        LOG.warn("Notification {}not sent to webhook {}: {}", what == null ? "" : "of " + what + " ", settings.webhook(),
                describe(cause));
        LOG.debug("Notification failure in full", cause);
    }

    /** The cause in one line, without the webhook's URL (its path or query may hold a token). */
    static String describe(Throwable cause) {
        HttpOperationFailedException http = HttpFailures.find(cause, HttpOperationFailedException.class);
        if (http != null) {
            return "HTTP " + http.getStatusCode() + (http.getStatusText() == null ? "" : " " + http.getStatusText());
        }
        ConnectException refused = HttpFailures.find(cause, ConnectException.class);
        if (refused != null) {
            return "the webhook is down: " + refused.getMessage();
        }
        return HttpFailures.describe(cause);
    }
}
