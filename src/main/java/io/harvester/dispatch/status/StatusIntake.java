package io.harvester.dispatch.status;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.harvester.api.ApiError;
import io.harvester.http.HttpFailures;
import io.harvester.infra.OutageLog;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bean {@code statusIntake} (routes/harvester-status.camel.yaml): reports from HTTP and from the Redis
 * list, applied in Redis and kept in its pending list in one atomic step ({@link StatusCache}). An HTTP
 * request is answered 202 only once that step is done: acknowledged means kept, in Redis, until the flush
 * has it in PostgreSQL. Redis away is a 503 with Retry-After, and one WARN per outage.
 */
public final class StatusIntake {

    /** Seconds a client is asked to wait before it sends again while Redis is away. */
    static final int RETRY_AFTER_SECONDS = 5;
    private static final Logger LOG = LoggerFactory.getLogger(StatusIntake.class);

    private final StatusCache cache;
    private final StatusQueue queue;
    private final StatusStore store;
    private final int take;
    private final OutageLog httpOutage = new OutageLog("Status intake over HTTP (answering 503 while Redis is away)");
    private final OutageLog listOutage = new OutageLog("Status intake from the Redis list");
    private Clock clock = Clock.systemUTC();

    StatusIntake(StatusCache cache, StatusQueue queue, StatusStore store, int take) {
        this.cache = cache;
        this.queue = queue;
        this.store = store;
        this.take = take;
    }

    /**
     * The request body's updates, kept: {@code {"accepted": n}}. A bad one is a 400 naming its field
     * ({@code [3].state}), as is one the status script refuses (its task record is not a hash); either way
     * nothing of that request is kept.
     */
    public Map<String, Object> fromHttp(Exchange exchange) {
        String body = exchange.getMessage().getBody(String.class);
        List<StatusUpdate> updates = StatusUpdates.parse(body, clock.millis());
        List<StatusCache.Refusal> refused;
        long attempt = httpOutage.attempt();
        try {
            refused = cache.applyAll(updates);
            httpOutage.succeeded();
        } catch (StatusCache.OwnKeyBroken e) {
            throw e;
        } catch (RuntimeException e) {
            httpOutage.failed(e, attempt);
            throw ApiError.unavailable("Redis is unreachable, status updates cannot be kept now: send them again later"
                    + " (an update received twice changes nothing): "
                    + HttpFailures.describe(e), RETRY_AFTER_SECONDS);
        }
        if (!refused.isEmpty()) {
            StatusCache.Refusal first = refused.get(0);
            String field = body.stripLeading().startsWith("[") ? "[" + first.index() + "].id" : "id";
            throw ApiError.badRequest(field, first.describe() + " (nothing of this request was kept"
                    + (refused.size() > 1 ? "; " + refused.size() + " updates refused" : "") + ")");
        }
        store.kept(updates.size());
        return Map.of("accepted", updates.size());
    }

    /**
     * One poll of the list: up to the take size of entries, applied. An entry that is no status update, or
     * whose task record the script refuses, goes to the rejected list with a WARN naming why; the others
     * are applied whatever happens to those. Should Redis fail before they are applied, the entries go back
     * to the workers' list (or wait in the processing list for the next start or another instance).
     */
    public void fromQueue(Exchange exchange) {
        List<String> entries;
        try {
            entries = queue.take(take);
        } catch (RuntimeException e) {
            listOutage.failed(e);
            return;
        }
        List<StatusUpdate> updates = new ArrayList<>();
        List<String> rejected = new ArrayList<>();
        for (String entry : entries) {
            try {
                updates.add(StatusUpdates.parseEntry(entry, clock.millis()));
            } catch (ApiError e) {
                LOG.warn("status list entry rejected ({}: {}), kept in the rejected list", e.field(), e.getMessage());
                rejected.add(entry);
            } catch (RuntimeException e) {
                LOG.warn("status list entry rejected ({}), kept in the rejected list", e.toString());
                rejected.add(entry);
            }
        }
        try {
            rejected.forEach(queue::reject);
            List<StatusCache.Refusal> refusals = cache.applyEach(updates);
            for (StatusCache.Refusal refusal : refusals) {
                LOG.warn("status list entry of task {} rejected ({}), kept in the rejected list",
                        updates.get(refusal.index()).taskId(), refusal.describe());
            }
            store.kept(updates.size() - refusals.size());
            listOutage.succeeded();
        } catch (RuntimeException e) {
            listOutage.failed(e);
            putBack(updates.stream().map(StatusUpdate::raw).toList());
        }
    }

    private void putBack(List<String> taken) {
        if (taken.isEmpty()) {
            return;
        }
        try {
            queue.putBack(taken);
        } catch (RuntimeException e) {
            // they wait in the processing list: the next start, or another instance, puts them back
            LOG.debug("status list entries stay in the processing list", e);
        }
    }
}
