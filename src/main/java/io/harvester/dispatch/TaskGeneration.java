package io.harvester.dispatch;

import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.harvester.http.HttpFailures;
import io.harvester.runs.LiveRun;
import io.harvester.runs.LogRows;
import io.harvester.runs.RunLifecycle;
import io.harvester.runs.RunRepository;
import io.harvester.runs.RunStatus;
import io.harvester.runs.RunTemplate;
import org.apache.camel.Exchange;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daily generation (run {@code dispatch:generate}, route dispatch-generate): the enabled keyword rows
 * become task sets in Redis ({@link TaskPlan}), each tracked by a task_information row. Redis and
 * PostgreSQL agree after any crash: the rows are written first, unconfirmed; then the sets ({@code SADD},
 * pipelined, in chunks: adding the same members again changes nothing); then the rows are confirmed. A
 * generation finds the unconfirmed rows a crash left among its own and writes their sets again; confirmed
 * sets are not written twice, so generating twice on one day duplicates nothing. Two instances never
 * generate at once: the generation is a run, and a pipeline has one live run at most.
 */
public class TaskGeneration {

    public static final String PIPELINE = "dispatch:generate";
    private static final Logger LOG = LoggerFactory.getLogger(TaskGeneration.class);
    /** Rejected rows named one by one in the run log; the rest are counted. */
    private static final int NAMED_REJECTIONS = 50;

    private final RunLifecycle lifecycle;
    private final RunTemplate runs;
    private final DispatchStore store;
    private final TaskSetWriter writer;
    private final ZoneId zone;
    private final int firstHour;
    private Clock clock = Clock.systemUTC();

    public TaskGeneration(RunLifecycle lifecycle, RedissonClient redis, ZoneId zone, int firstHour, int chunkSize) {
        if (firstHour < 0 || firstHour > 23) {
            throw new IllegalArgumentException("harvester.dispatch.first-hour = " + firstHour + ": an hour from 0 to 23");
        }
        this.lifecycle = lifecycle;
        this.runs = new RunTemplate(lifecycle);
        this.store = new DispatchStore(lifecycle.store().sql());
        this.writer = new TaskSetWriter(redis, chunkSize);
        this.zone = zone;
        this.firstHour = firstHour;
    }

    /** For tests: the clock the generation reads "now" from. */
    public void setClock(Clock clock) {
        this.clock = clock;
    }

    /** Generates once, unless a generation is live (then the trigger is recorded as a skipped run). */
    public void generate(Exchange exchange) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("zone", zone.getId());
        params.put("firstHour", firstHour);
        runs.run(exchange, RunTemplate.Spec.of(PIPELINE, params), e -> "task generation failed: " + HttpFailures.describe(e), run -> {
            TaskPlan.Result plan = TaskPlan.plan(store.enabledKeywords(), store.categories(), clock.instant(), zone, firstHour);
            List<String> names = plan.sets().stream().map(TaskPlan.TaskSet::name).toList();
            Set<String> done = store.confirmed(names);
            List<TaskPlan.TaskSet> todo = plan.sets().stream().filter(s -> !done.contains(s.name())).toList();
            int repaired = todo.size() - store.insertUnconfirmed(todo);
            List<String> unplanned = store.failUnplanned(names);
            writer.write(todo);
            store.confirm(todo.stream().map(TaskPlan.TaskSet::name).toList());
            record(run, plan, done);
            recordLeftovers(run, repaired, unplanned);
            run.end(RunStatus.COMPLETED, null, null);
            LOG.info("{}: run {} completed: {} set(s) planned, {} written now, {} row(s) rejected", PIPELINE, run.id(),
                    plan.sets().size(), todo.size(), plan.rejected().size());
        });
    }

    /** One step row per crawl object (records = elements), and the rejected rows in the run log. */
    private void record(LiveRun run, TaskPlan.Result plan, Set<String> done) {
        RunRepository runs = lifecycle.store();
        Map<String, List<TaskPlan.TaskSet>> byObject = new TreeMap<>();
        plan.sets().forEach(s -> byObject.computeIfAbsent(s.crawlObject(), k -> new ArrayList<>()).add(s));
        Map<String, Long> rejectedByObject = new TreeMap<>();
        plan.rejected().forEach(r -> rejectedByObject.merge(r.row().crawlObject(), 1L, Long::sum));
        rejectedByObject.keySet().forEach(o -> byObject.computeIfAbsent(o, k -> new ArrayList<>()));
        int ordinal = 1;
        for (Map.Entry<String, List<TaskPlan.TaskSet>> object : byObject.entrySet()) {
            long elements = object.getValue().stream().mapToLong(s -> s.elements().size()).sum();
            long again = object.getValue().stream().filter(s -> done.contains(s.name())).count();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("sets", object.getValue().size());
            result.put("elements", elements);
            result.put("generatedBefore", again);
            result.put("rejected", rejectedByObject.getOrDefault(object.getKey(), 0L));
            runs.steps().write(run.id(), ordinal++, object.getKey(), RunStatus.COMPLETED, elements, result, null);
        }
        for (int i = 0; i < plan.rejected().size() && i < NAMED_REJECTIONS; i++) {
            TaskPlan.Rejected rejected = plan.rejected().get(i);
            runs.logs().write(run.id(), rejected.row().crawlObject(), "WARN", "task_for_keyword row " + rejected.row().id()
                    + " (keyword " + rejected.row().keyword() + ") rejected: " + rejected.reason());
        }
        if (plan.rejected().size() > NAMED_REJECTIONS) {
            runs.logs().write(run.id(), null, "WARN", (plan.rejected().size() - NAMED_REJECTIONS) + " more row(s) rejected");
        }
    }

    /** What a dead generation left: sets of today written now, and rows of sets nobody will write (now Failed). */
    private void recordLeftovers(LiveRun run, int repaired, List<String> unplanned) {
        LogRows logs = lifecycle.store().logs();
        if (repaired > 0) {
            logs.write(run.id(), null, "WARN", repaired + " task set(s) a dead generation left unwritten were written now");
        }
        for (int i = 0; i < unplanned.size() && i < NAMED_REJECTIONS; i++) {
            logs.write(run.id(), null, "WARN", "task set " + unplanned.get(i) + " was never written (its generation died before"
                    + " writing it) and is not one of today's sets: its task is Failed");
        }
        if (unplanned.size() > NAMED_REJECTIONS) {
            logs.write(run.id(), null, "WARN",
                    (unplanned.size() - NAMED_REJECTIONS) + " more unwritten task set(s) marked Failed");
        }
    }

}
