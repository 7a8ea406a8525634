package io.harvester.notify;

import java.net.URI;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

import io.harvester.http.RequestHeaders;
import io.harvester.infra.Knobs;
import org.apache.camel.CamelContext;

/**
 * The notifications' knobs ({@code harvester.notify.*}), read once; what each means is said in
 * application.properties. The timeout is the route's ({@code {{harvester.notify.timeout-ms}}}).
 */
public record NotifySettings(String url, Set<NotifyEvent> events, Set<String> quietPipelines, RequestHeaders headers) {

    public static NotifySettings from(CamelContext context) {
        Knobs knobs = new Knobs(context);
        // 0 would be no timeout at all to the HTTP client: a webhook that hangs would hold the queue for good
        long timeoutMs = knobs.value("harvester.notify.timeout-ms", Long.class);
        if (timeoutMs < 1) {
            throw new IllegalArgumentException("harvester.notify.timeout-ms must be at least 1, was " + timeoutMs);
        }
        return of(knobs.value("harvester.notify.url", String.class), knobs.value("harvester.notify.events", String.class),
                knobs.value("harvester.notify.quiet-pipelines", String.class),
                knobs.value("harvester.notify.headers", String.class));
    }

    /** Settings from the knobs' text; a word of {@code events} that names no event stops start-up naming it. */
    public static NotifySettings of(String url, String events, String quietPipelines, String headers) {
        Set<NotifyEvent> wanted = EnumSet.noneOf(NotifyEvent.class);
        for (String word : list(events)) {
            try {
                wanted.add(NotifyEvent.of(word));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("harvester.notify.events: " + e.getMessage(), e);
            }
        }
        String webhook = url == null ? "" : url.strip();
        if (!webhook.isEmpty() && (!webhook.startsWith("http://") && !webhook.startsWith("https://") || !parses(webhook))) {
            throw new IllegalArgumentException("harvester.notify.url = " + origin(webhook) + ": not an http:// or https:// URL that parses");
        }
        RequestHeaders parsed;
        try {
            parsed = RequestHeaders.parse(headers);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("harvester.notify.headers: " + e.getMessage(), e);
        }
        return new NotifySettings(webhook, wanted, Set.copyOf(list(quietPipelines)), parsed);
    }

    private static boolean parses(String url) {
        try {
            // the authority, not the host: java.net.URI has no host for names with '_' (Compose services)
            return URI.create(url).getAuthority() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static java.util.List<String> list(String text) {
        return text == null ? java.util.List.of()
                : Arrays.stream(text.split(",")).map(String::strip).filter(word -> !word.isEmpty()).toList();
    }

    /** Whether notifications are on: a webhook is set. */
    public boolean on() {
        return !url.isEmpty();
    }

    /** Whether {@code event} of {@code pipeline} is notified: the event is wanted and the pipeline is not quiet. */
    public boolean wanted(NotifyEvent event, String pipeline) {
        return on() && events.contains(event) && !quietPipelines.contains(pipeline);
    }

    /** The webhook as log lines name it: scheme, host and port only (its path or query may hold a token). */
    public String webhook() {
        return origin(url);
    }

    static String origin(String url) {
        try {
            URI uri = URI.create(url);
            if (uri.getScheme() != null && uri.getHost() != null) {
                String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/") ? "" : "/…";
                return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + path;
            }
        } catch (IllegalArgumentException notAUri) {
            // named below without its text
        }
        return "(not a URL)";
    }

    @Override
    public String toString() {
        return "notifications to " + (on() ? webhook() : "nowhere") + " of " + events.stream().map(NotifyEvent::word)
                .collect(Collectors.joining(",")) + ", quiet " + quietPipelines + ", " + headers;
    }
}
