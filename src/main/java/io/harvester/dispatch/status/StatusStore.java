package io.harvester.dispatch.status;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.harvester.http.HttpFailures;
import io.harvester.runs.RunSql;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregator's flush (bean {@code statusStore}): one batched upsert into task_status, where the newest
 * {@code at} of each task wins, within the batch and against what the table holds. Once it committed, the
 * batch's Redis list entries leave the processing list. A flush that fails (the database is away) fails
 * its exchange: the aggregation repository keeps the batch and hands it back every recovery interval.
 */
public final class StatusStore {

    private static final Logger LOG = LoggerFactory.getLogger(StatusStore.class);

    private final RunSql sql;
    private final StatusQueue queue;
    private final Map<String, AtomicLong> flushesBy = new ConcurrentHashMap<>();
    private final AtomicLong flushed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    StatusStore(RunSql sql, StatusQueue queue) {
        this.sql = sql;
        this.queue = queue;
    }

    public void flush(Exchange exchange) {
        List<?> batch = exchange.getMessage().getBody(List.class);
        List<StatusUpdate> updates = batch.stream().map(o -> StatusUpdate.fromJson((String) o)).toList();
        List<StatusUpdate> newest = newestPerTask(updates);
        try {
            upsert(newest);
        } catch (RuntimeException e) {
            failed.incrementAndGet();
            throw new IllegalStateException("status flush of " + updates.size() + " update(s) into task_status failed, kept in "
                    + "Redis and tried again: " + HttpFailures.describe(e), e);
        }
        queue.done(updates.stream().map(StatusUpdate::raw).filter(raw -> raw != null).toList());
        String by = exchange.getMessage().getHeader(Exchange.REDELIVERED, false, Boolean.class) ? "recovery"
                : exchange.getProperty(Exchange.AGGREGATED_COMPLETED_BY, "unknown", String.class);
        flushesBy.computeIfAbsent(by, k -> new AtomicLong()).incrementAndGet();
        flushed.addAndGet(updates.size());
        LOG.debug("status flush ({}): {} update(s), {} task(s)", by, updates.size(), newest.size());
    }

    /**
     * Flushes so far by what completed them: {@code strategy} (the count), {@code interval} (the time),
     * {@code force} (a graceful stop), {@code recovery} (a batch a failed flush or a dead process left).
     */
    public Map<String, Long> flushesBy() {
        Map<String, Long> copy = new LinkedHashMap<>();
        flushesBy.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    public long flushedUpdates() {
        return flushed.get();
    }

    /** Flushes the database refused (each is tried again by the repository's recovery). */
    public long failedFlushes() {
        return failed.get();
    }

    /**
     * PostgreSQL refuses to touch one row twice in an upsert: one update per task, its newest (the later on
     * a tie), in task order, so two instances' upserts lock rows in the same order and cannot deadlock.
     */
    static List<StatusUpdate> newestPerTask(List<StatusUpdate> updates) {
        Map<String, StatusUpdate> newest = new TreeMap<>();
        for (StatusUpdate update : updates) {
            newest.merge(update.taskId(), update, (seen, next) -> next.at() >= seen.at() ? next : seen);
        }
        return new ArrayList<>(newest.values());
    }

    private void upsert(List<StatusUpdate> updates) {
        sql.update("""
                insert into task_status (task_id, state, payload, updated_at)
                select u.id, u.state, u.payload::jsonb, to_timestamp(u.at / 1000.0)
                from unnest(?::text[], ?::text[], ?::text[], ?::bigint[]) as u(id, state, payload, at)
                on conflict (task_id) do update
                set state = excluded.state, payload = excluded.payload, updated_at = excluded.updated_at
                where task_status.updated_at <= excluded.updated_at""",
                updates.stream().map(StatusUpdate::taskId).toArray(String[]::new),
                updates.stream().map(StatusUpdate::state).toArray(String[]::new),
                updates.stream().map(StatusUpdate::payload).toArray(String[]::new),
                updates.stream().map(StatusUpdate::at).toArray(Long[]::new));
    }
}
