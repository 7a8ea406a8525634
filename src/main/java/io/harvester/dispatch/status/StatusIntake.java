package io.harvester.dispatch.status;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.harvester.api.ApiError;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bean {@code statusIntake} (routes/harvester-status.camel.yaml): reports from HTTP and from the Redis
 * list are read, applied in Redis and handed to the aggregator as JSON texts. An HTTP request is
 * answered once its updates are in the aggregation repository (in Redis): acknowledged means kept.
 */
public final class StatusIntake {

    static final String ACCEPTED = "HarvesterAccepted";
    static final String TAKEN = "HarvesterTaken";
    private static final Logger LOG = LoggerFactory.getLogger(StatusIntake.class);

    private final StatusCache cache;
    private final StatusQueue queue;
    private final int take;
    private Clock clock = Clock.systemUTC();

    StatusIntake(StatusCache cache, StatusQueue queue, int take) {
        this.cache = cache;
        this.queue = queue;
        this.take = take;
    }

    /** The request body's updates; a bad one is a 400 naming its field and nothing is taken. */
    public void fromHttp(Exchange exchange) {
        List<StatusUpdate> updates = StatusUpdates.parse(exchange.getMessage().getBody(String.class), clock.millis());
        cache.apply(updates);
        exchange.setProperty(ACCEPTED, updates.size());
        // the aggregation repository keeps the exchange's headers: not the caller's Authorization
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setBody(texts(updates));
    }

    /** The answer once the updates are kept: {@code {"accepted": n}}. */
    public Map<String, Object> receipt(Exchange exchange) {
        return Map.of("accepted", exchange.getProperty(ACCEPTED, 0, Integer.class));
    }

    /**
     * Up to the take size of list entries (empty body when the list is empty); bad entries go to the
     * rejected list. The good ones are named in property {@value #TAKEN} until they are in the aggregation
     * repository: should anything fail before that, {@link #putBack} returns them to the workers' list.
     */
    public void fromQueue(Exchange exchange) {
        List<StatusUpdate> updates = new ArrayList<>();
        for (String entry : queue.take(take)) {
            try {
                updates.add(StatusUpdates.parseEntry(entry, clock.millis()));
            } catch (ApiError e) {
                LOG.warn("status list entry rejected ({}: {}), kept in the rejected list", e.field(), e.getMessage());
                queue.reject(entry);
            } catch (RuntimeException e) {
                LOG.warn("status list entry rejected ({}), kept in the rejected list", e.toString());
                queue.reject(entry);
            }
        }
        exchange.setProperty(TAKEN, updates.stream().map(StatusUpdate::raw).toList());
        cache.apply(updates);
        exchange.getMessage().setBody(texts(updates));
    }

    /** The entries this exchange took go back to the workers' list (Redis or the aggregator failed them). */
    @SuppressWarnings("unchecked")
    public void putBack(Exchange exchange) {
        List<String> taken = exchange.getProperty(TAKEN, List.class);
        if (taken != null && !taken.isEmpty()) {
            Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
            LOG.warn("{} status list entr(ies) put back for later: {}", taken.size(), cause == null ? "unknown" : cause.getMessage());
            queue.putBack(taken);
        }
    }

    private static List<String> texts(List<StatusUpdate> updates) {
        List<String> texts = new ArrayList<>(updates.size());
        updates.forEach(u -> texts.add(u.toJson()));
        return texts;
    }
}
