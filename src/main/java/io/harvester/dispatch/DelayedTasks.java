package io.harvester.dispatch;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.harvester.infra.OutageLog;
import io.harvester.runs.RunSql;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delayed tasks (bean {@code delayedTasks}; docs/dispatch.md, "Delayed tasks"): an element goes into a Redis set at
 * a given time, once.
 * <ul>
 * <li>{@link #accept}: a task due within {@code threshold} goes straight into the Redis sorted set, a later
 * one into table delayed_tasks;</li>
 * <li>{@link #promote} (every {@code scanInterval}, shorter than the threshold, so every row is moved before
 * its time): rows due within the threshold move into the sorted set, under row locks that two instances
 * split between them ({@code for update skip locked}), and are deleted in the same transaction;</li>
 * <li>{@link #release} (every second or so): due members are released into their sets by one Lua script,
 * atomic in Redis, so two instances never release the same member.</li>
 * </ul>
 * A move that died after Redis took its members and before PostgreSQL committed leaves its rows: the next
 * move adds the same members again (a member is derived from its row), which changes nothing, or, when the
 * member has been released meanwhile, does not add it at all ({@link DelayedQueue}).
 */
public class DelayedTasks {

    private static final Logger LOG = LoggerFactory.getLogger(DelayedTasks.class);
    /** Failed members named one by one in the log; the rest are counted. */
    private static final int NAMED_FAILURES = 20;

    /** Where the tasks of one request went. */
    public record Accepted(int redis, int postgres) {
    }

    private final RunSql sql;
    private final DelayedStore store;
    private final DelayedQueue queue;
    private final OwnKeys ownKeys;
    private final Duration threshold;
    private final int chunkSize;
    private final OutageLog scans = new OutageLog("Delayed-task scan");
    private final OutageLog releases = new OutageLog("Delayed-task release");
    private Clock clock = Clock.systemUTC();

    /** @param ownKeys Harvester's own Redis keys, which delayed tasks may not target; {@code key} is added to them */
    DelayedTasks(RunSql sql, RedissonClient redis, String key, OwnKeys ownKeys, Duration threshold, Duration scanInterval,
                 int chunkSize) {
        if (scanInterval.compareTo(threshold) >= 0) {
            throw new IllegalArgumentException("harvester.dispatch.delay-scan-interval = " + text(scanInterval)
                    + " must be shorter than harvester.dispatch.delay-threshold = " + text(threshold)
                    + ": a task stored for later must meet a scan within the threshold before its time");
        }
        this.sql = sql;
        this.store = new DelayedStore(sql);
        this.queue = new DelayedQueue(redis, key);
        this.ownKeys = ownKeys.prefix("harvester.dispatch.delay-key", key);
        this.threshold = threshold;
        this.chunkSize = Math.max(1, chunkSize);
    }

    /** For tests: the clock "now" is read from. */
    public void setClock(Clock clock) {
        this.clock = clock;
    }

    /**
     * Route api-tasks-delayed (POST /api/tasks/delayed): the request body (JSON text, see
     * {@link DelayedTaskRequest}) stored whole, or nothing of it when a task is malformed (a 400 naming the
     * field). The answer: {@code {"accepted", "redis", "postgres"}}.
     */
    public Map<String, Object> fromHttp(String body) {
        Accepted accepted = accept(DelayedTaskRequest.parse(body, ownKeys));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("accepted", accepted.redis() + accepted.postgres());
        answer.put("redis", accepted.redis());
        answer.put("postgres", accepted.postgres());
        return answer;
    }

    /**
     * Stores the tasks in one transaction; the near ones are in Redis before it commits, so a Redis failure
     * stores nothing. (A commit that fails after that leaves the near ones in Redis; the error tells the caller.)
     */
    public Accepted accept(List<DelayedTask> tasks) {
        long horizon = clock.millis() + threshold.toMillis();
        Map<Boolean, List<DelayedTask>> byNearness = tasks.stream()
                .collect(Collectors.partitioningBy(t -> t.due().toEpochMilli() < horizon));
        List<DelayedTask> near = byNearness.get(true);
        List<DelayedTask> later = byNearness.get(false);
        sql.transaction("store delayed tasks", c -> {
            store.insert(c, later);
            if (!near.isEmpty()) {
                List<Long> ids = store.newIds(c, near.size());
                List<DelayedQueue.Member> members = new ArrayList<>();
                for (int i = 0; i < ids.size(); i++) {
                    DelayedTask task = near.get(i);
                    members.add(new DelayedQueue.Member(ids.get(i), task.set(), task.element(), task.due().toEpochMilli()));
                }
                queue.add(members);
            }
            return null;
        });
        return new Accepted(near.size(), later.size());
    }

    /** Moves the rows due within the threshold into Redis; how many this instance moved. */
    public int promote() {
        int moved = 0;
        int batch;
        do {
            long before = clock.millis() + threshold.toMillis();
            batch = sql.transaction("move delayed tasks to Redis", c -> {
                List<DelayedQueue.Member> due = store.lockDue(c, before, chunkSize);
                if (!due.isEmpty()) {
                    queue.promote(due);
                    store.delete(c, due.stream().map(DelayedQueue.Member::id).toList());
                }
                return due.size();
            });
            moved += batch;
        } while (batch == chunkSize);
        settle();
        if (moved > 0) {
            LOG.info("{} delayed task(s) moved from PostgreSQL to Redis", moved);
        }
        return moved;
    }

    /** Releases the due members into their sets; how many this instance released. */
    public long release() {
        long now = clock.millis();
        long released = 0;
        DelayedQueue.Released round;
        do {
            round = queue.release(now, chunkSize);
            released += round.released();
            if (!round.failed().isEmpty()) {
                LOG.warn("{} delayed task(s) could not be released (their target is not a set) and were moved to {}:failed: {}",
                        round.failed().size(), queue.key(), round.failed().subList(0, Math.min(NAMED_FAILURES, round.failed().size())));
            }
        } while (round.released() + round.failed().size() == chunkSize);
        LOG.debug("{} delayed task(s) released", released);
        return released;
    }

    /** Route dispatch-delayed-promote. */
    public void promoteOnTimer() {
        scans.run(this::promote);
    }

    /** Route dispatch-delayed-release. */
    public void releaseOnTimer() {
        releases.run(this::release);
    }

    private static String text(Duration duration) {
        return duration.toString().substring(2).toLowerCase(Locale.ROOT);
    }

    /** Forgets the move bookkeeping of members whose rows are gone, whoever moved them. */
    private void settle() {
        Set<String> promoting = queue.promoting();
        if (promoting.isEmpty()) {
            return;
        }
        Map<String, Long> ids = promoting.stream().collect(Collectors.toMap(Function.identity(), DelayedQueue.Member::id));
        Set<Long> rows = store.existing(List.copyOf(ids.values()));
        queue.settle(promoting.stream().filter(m -> !rows.contains(ids.get(m))).toList());
    }
}
