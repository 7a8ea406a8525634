package io.harvester.dispatch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.harvester.http.HttpFailures;
import io.harvester.runs.RunLifecycle;
import io.harvester.runs.RunStatus;
import io.harvester.runs.RunTemplate;
import io.harvester.trigger.TriggerComponent;
import io.harvester.runs.TriggerKind;
import org.apache.camel.Exchange;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The minute sweep (route dispatch-sweep): due {@code Pending} tasks become {@code In Progress};
 * {@code In Progress} tasks whose set is gone (drained by the workers) become {@code Completed}; those
 * whose set has not shrunk for {@code harvester.dispatch.stale-after} are flagged; rows a dead generation
 * left unconfirmed start a generation, which writes their sets. Five SQL statements and one pipelined Redis
 * round ({@code SCARD}: 0 for a set that no longer exists) per sweep, whatever the number of tasks. A sweep that changed or flagged something is recorded as a run ({@code dispatch:sweep})
 * with its counts; an idle scheduled minute leaves no row (a sweep asked for over the API or JMX is always a run). Quartz fires each tick on one instance only.
 */
public class TaskSweep {

    public static final String PIPELINE = "dispatch:sweep";
    private static final Logger LOG = LoggerFactory.getLogger(TaskSweep.class);
    private static final int NAMED_FLAGS = 50;

    private final RunLifecycle lifecycle;
    private final RunTemplate runs;
    private final DispatchStore store;
    private final RedissonClient redis;
    private final Duration staleAfter;

    /** A sweep runs every minute: a Redis that does not answer within half of it fails this one. */
    private static final long REDIS_TIMEOUT_MS = 30_000;

    public TaskSweep(RunLifecycle lifecycle, RedissonClient redis, Duration staleAfter) {
        this.lifecycle = lifecycle;
        this.runs = new RunTemplate(lifecycle);
        this.store = new DispatchStore(lifecycle.store().sql());
        this.redis = redis;
        this.staleAfter = staleAfter;
    }

    /** Redis's answer in time or the sweep fails (and the next minute's sweep tries again). */
    private List<Integer> setSizes(List<DispatchStore.Open> open) {
        try {
            return TaskSetSizes.sizes(redis, open, REDIS_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the task sets' sizes", e);
        } catch (Exception e) {
            throw new IllegalStateException("Redis did not give the task sets' sizes: " + e.getMessage(), e);
        }
    }

    public void sweep(Exchange exchange) {
        int started = store.startDue();
        List<DispatchStore.Open> open = store.inProgress();
        List<Integer> sizes = setSizes(open);
        List<Long> completed = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        for (int i = 0; i < open.size(); i++) {
            DispatchStore.Open task = open.get(i);
            int size = sizes.get(i);
            if (size == 0) {
                completed.add(task.id());
                continue;
            }
            ids.add(task.id());
            current.add(size);
            if (task.lastSize() != null && task.lastSize() == size && task.unchangedSeconds() > staleAfter.toSeconds()) {
                stale.add(task.source() + " (" + size + " left, unchanged for " + Math.round(task.unchangedSeconds()) + " s)");
            }
        }
        store.complete(completed);
        store.sizes(ids, current);
        long unwritten = leftByDeadGeneration();
        if (unwritten > 0) {
            // the generation writes again the sets of today it finds unconfirmed, and fails the others
            LOG.warn("{}: {} task set(s) a dead generation left unwritten: starting a generation", PIPELINE, unwritten);
            TriggerComponent.of(exchange.getContext()).startInBackground(TaskGeneration.PIPELINE,
                    Map.of(TriggerKind.HEADER, TriggerKind.SCHEDULE.value()));
        }
        // a sweep someone asked for (the API, JMX) is always a run: they are told its id
        boolean asked = TriggerKind.parse(exchange.getMessage().getHeader(TriggerKind.HEADER)) != TriggerKind.SCHEDULE;
        if (asked || started > 0 || !completed.isEmpty() || !stale.isEmpty() || unwritten > 0) {
            record(exchange, started, completed.size(), open.size() - completed.size(), stale, unwritten);
        }
    }

    /**
     * Unconfirmed rows older than any generation takes, while no generation is live: a generation died between
     * its rows and its sets. The live generation is looked for only when there are such rows (most minutes none);
     * the rows are counted again once none is live, as a generation may have confirmed them and ended in between
     * (one that starts after the look writes rows too young to count).
     */
    private long leftByDeadGeneration() {
        if (store.unconfirmedOld() == 0 || lifecycle.store().liveRun(TaskGeneration.PIPELINE).isPresent()) {
            return 0;
        }
        return store.unconfirmedOld();
    }

    private void record(Exchange exchange, int started, int completed, int inProgress, List<String> stale, long unwritten) {
        runs.run(exchange, RunTemplate.Spec.of(PIPELINE, Map.of("staleAfter", staleAfter.toString())),
                e -> "task sweep failed: " + HttpFailures.describe(e), run -> {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("started", started);
            result.put("completed", completed);
            result.put("inProgress", inProgress);
            result.put("stale", stale.size());
            result.put("unwritten", unwritten);
            lifecycle.store().steps().write(run.id(), 1, "sweep", RunStatus.COMPLETED, started + completed, result, null);
            for (int i = 0; i < stale.size() && i < NAMED_FLAGS; i++) {
                lifecycle.store().logs().write(run.id(), "sweep", "WARN",
                        "task set " + stale.get(i) + ": its workers may be stuck");
            }
            run.end(RunStatus.COMPLETED, null, null);
            LOG.info("{}: {} task(s) started, {} completed, {} in progress, {} stale", PIPELINE, started, completed,
                    inProgress, stale.size());
        });
    }
}
