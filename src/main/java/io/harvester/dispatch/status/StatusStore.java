package io.harvester.dispatch.status;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.harvester.http.HttpFailures;
import io.harvester.infra.OutageLog;
import io.harvester.runs.RunSql;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flush (bean {@code statusStore}, routes/harvester-status.camel.yaml): acknowledged updates go from
 * the pending list in Redis to task_status, a batch at a time, each one batched upsert where the newest
 * {@code at} of each task wins, within the batch and against what the table holds. A batch leaves Redis
 * only once its upsert committed; a batch the database refused is tried again at the next tick, as it is.
 * An outage of either store is one WARN and one INFO when it is over, not a stack trace per tick. The tick
 * flushes what is pending; once this instance has kept a whole batch since the last flush began, the
 * routes start one at once ({@link #due()}) rather than leave a full batch waiting for the tick.
 */
public final class StatusStore {

    private static final Logger LOG = LoggerFactory.getLogger(StatusStore.class);

    private final RunSql sql;
    private final StatusPending pending;
    private final int batchSize;
    private final OutageLog redisOutage = new OutageLog("Status flush: reading the pending updates from Redis");
    private final OutageLog databaseOutage = new OutageLog("Status flush: writing task_status in PostgreSQL (updates wait in Redis)");
    private final OutageLog recoveryOutage = new OutageLog("Status recovery of dead instances' updates");
    private final AtomicLong flushes = new AtomicLong();
    private final AtomicLong flushed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicInteger keptSinceFlush = new AtomicInteger();

    StatusStore(RunSql sql, StatusPending pending, int batchSize) {
        this.sql = sql;
        this.pending = pending;
        this.batchSize = batchSize;
    }

    /**
     * One tick: batches until the pending list is empty or a store fails (then the next tick retries). A
     * committed batch is dropped from Redis by the take of the next one, in the same call; the last is
     * dropped on its own.
     */
    public synchronized void flush() {
        keptSinceFlush.set(0);
        boolean committed = false;
        while (true) {
            List<String> batch;
            try {
                batch = pending.take(batchSize, committed);
                redisOutage.succeeded();
            } catch (RuntimeException e) {
                // a committed batch still in Redis is written again at the next tick, which changes nothing (newest "at" wins)
                redisOutage.failed(e);
                return;
            }
            if (batch.isEmpty()) {
                return;
            }
            List<StatusUpdate> updates = readable(batch);
            List<StatusUpdate> newest = newestPerTask(updates);
            try {
                upsert(newest);
                databaseOutage.succeeded();
            } catch (RuntimeException e) {
                failed.incrementAndGet();
                databaseOutage.failed(new IllegalStateException(HttpFailures.describe(e), e));
                return;
            }
            flushes.incrementAndGet();
            flushed.addAndGet(updates.size());
            LOG.debug("status flush: {} update(s), {} task(s)", updates.size(), newest.size());
            if (batch.size() < batchSize) {
                try {
                    pending.done();
                } catch (RuntimeException e) {
                    redisOutage.failed(e);
                }
                return;
            }
            committed = true;
        }
    }

    /** The batch's updates; a text that is none (not written by Harvester) is dropped with a WARN rather than block every batch after it. */
    private static List<StatusUpdate> readable(List<String> batch) {
        List<StatusUpdate> updates = new ArrayList<>(batch.size());
        for (String text : batch) {
            try {
                updates.add(StatusUpdate.fromJson(text));
            } catch (RuntimeException e) {
                LOG.warn("Status flush: dropped a pending entry that is no status update ({}): {}", e.getMessage(), text);
            }
        }
        return updates;
    }

    /** This instance's intake kept {@code count} more updates in the pending list. */
    void kept(int count) {
        keptSinceFlush.addAndGet(count);
    }

    /** A whole batch was kept since the last flush began: flush now, not at the next tick. */
    public boolean due() {
        return keptSinceFlush.get() >= batchSize;
    }

    /** What dead instances held goes back, to be flushed (or taken from the list) by the living. */
    public void recoverDead() {
        recoveryOutage.run(() -> {
            long moved = pending.recoverDead();
            if (moved > 0) {
                LOG.info("Status cache: {} update(s) and list entr(ies) held by instance(s) whose lease expired are back to be written", moved);
            }
        });
    }

    /** Batches written so far. */
    public long flushes() {
        return flushes.get();
    }

    /** Updates written so far (each counted once per batch that wrote it). */
    public long flushedUpdates() {
        return flushed.get();
    }

    /** Upserts the database refused (each batch is tried again at the next tick). */
    public long failedFlushes() {
        return failed.get();
    }

    /** Updates waiting in Redis for PostgreSQL. */
    public int waiting() {
        return pending.waiting();
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
