package io.harvester.jobs;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import io.harvester.http.HttpFailures;
import io.harvester.infra.WatchedDataSource;
import io.harvester.runs.Counted;
import io.harvester.runs.LiveRun;
import io.harvester.runs.RunHandle;
import io.harvester.runs.RunStatus;
import io.harvester.runs.StepRow;
import io.harvester.runs.StepRows;
import io.harvester.runs.StepRows.Planned;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One execution of a job: its planned steps and their rows, the step at work, and how to stop it. A step
 * runs only when it is planned {@code pending} and the run's row is still running without a cancel
 * request, so a run cancelled between steps goes no further. Stopped from outside (the failure policy, a
 * cancel over JMX, its row ended by another instance), the step's SQL statement is cancelled and its
 * thread interrupted.
 */
final class JobRun implements RunHandle {

    private static final Logger LOG = LoggerFactory.getLogger(JobRun.class);
    /** A bean step may report the records it handled in this header (camel-sql steps report theirs). */
    static final String RECORDS = "HarvesterStepRecords";
    private static final String SQL_UPDATE_COUNT = "CamelSqlUpdateCount";
    private static final String SQL_ROW_COUNT = "CamelSqlRowCount";
    private static final long STOP_WAIT_MS = 10_000;

    private final LiveRun live;
    private final String job;
    private final StepRows stepRows;
    private final Map<String, Planned> plan;
    private final Set<String> jobSteps;
    private final Set<WatchedDataSource.Held> connections = ConcurrentHashMap.newKeySet();
    /** Steps completed; read by the run's end summary on whichever thread ends it. */
    private volatile int done;
    private volatile String current;
    /** Guarded by this: the thread inside a step (an interrupt is meant for it only there); null between steps. */
    private Thread worker;
    /** Guarded by this: the run was stopped from outside; no step starts any more. */
    private boolean stopped;

    private JobRun(LiveRun live, String job, StepRows stepRows, Map<String, Planned> plan, Set<String> jobSteps) {
        this.live = live;
        this.job = job;
        this.stepRows = stepRows;
        this.plan = plan;
        this.jobSteps = jobSteps;
        this.done = (int) plan.values().stream().filter(p -> p.completedIn() != null).count();
        live.onAbort(this::stopWork);
        live.settledWhen(this::idle);
        live.summarizedBy(() -> done + " of " + Counted.of(plan.size(), "step", "steps"));
    }

    /** No step of this run is at work. */
    private synchronized boolean idle() {
        return worker == null;
    }

    /**
     * Plans a run: the one named step, or every step of the job, those an earlier run completed
     * ({@code earlier}, empty when the run starts from the beginning) planned skipped. A step the earlier
     * run tried and did not complete is tried again with its attempt counted on.
     */
    static JobRun plan(LiveRun live, String job, List<String> steps, String single, List<StepRow> earlierSteps,
                       StepRows stepRows) {
        Map<String, StepRow> earlier = earlierSteps.stream()
                .collect(Collectors.toMap(StepRow::name, s -> s, (first, last) -> last));
        Map<String, Planned> plan = new LinkedHashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            String name = steps.get(i);
            if (single != null && !single.equals(name)) {
                continue;
            }
            StepRow before = earlier.get(name);
            if (before != null && before.completedIn() != null) {
                plan.put(name, new Planned(i + 1, name, RunStatus.SKIPPED, before.attempt(), before.completedIn()));
            } else {
                boolean tried = before != null && before.status() != RunStatus.PENDING;
                plan.put(name, new Planned(i + 1, name, RunStatus.PENDING, tried ? before.attempt() + 1 : 1, null));
            }
        }
        return new JobRun(live, job, stepRows, plan, Set.copyOf(steps));
    }

    List<Planned> planned() {
        return new ArrayList<>(plan.values());
    }

    @Override
    public long id() {
        return live.id();
    }

    LiveRun live() {
        return live;
    }

    /** Whether a {@code step} of this name is one of the job's tracked steps (a called route may have its own). */
    boolean isJobStep(String name) {
        return jobSteps.contains(name);
    }

    /**
     * Runs one of the job's steps when it is planned and the run may go on; otherwise the step is passed
     * over, and when the run was stopped the route stops too.
     */
    void step(String name, Processor step, Exchange exchange) throws Exception {
        Planned planned = plan.get(name);
        if (planned == null || planned.status() != RunStatus.PENDING) {
            return;
        }
        current = name;
        if (!live.isLive() || !stepRows.start(id(), planned.ordinal(), name, progress())) {
            stopFromRow();
            exchange.setRouteStop(true);
            return;
        }
        synchronized (this) {
            // stopped between the row's check and here: its stop found no step to cancel, so none may start
            if (stopped) {
                exchange.setRouteStop(true);
                return;
            }
            worker = Thread.currentThread();
        }
        exchange.getMessage().removeHeaders(SQL_UPDATE_COUNT);
        exchange.getMessage().removeHeaders(SQL_ROW_COUNT);
        exchange.getMessage().removeHeader(RECORDS);
        WatchedDataSource.Watcher watcher = new WatchedDataSource.Watcher() {
            @Override
            public void taken(WatchedDataSource.Held connection) throws SQLException {
                synchronized (JobRun.this) {
                    // a stop that came between the step's start and this borrow found nothing to cancel
                    if (stopped) {
                        throw new SQLException("run " + id() + " was stopped; step " + name + " does not start");
                    }
                    connections.add(connection);
                }
            }

            @Override
            public void released(WatchedDataSource.Held connection) {
                connections.remove(connection);
            }
        };
        try (WatchedDataSource.Scope watch = WatchedDataSource.watch(watcher)) {
            step.process(exchange);
        } finally {
            connections.clear();
            synchronized (this) {
                worker = null;
                if (stopped) {
                    // the interrupt was meant for the step: the thread goes back to Camel without it
                    Thread.interrupted();
                }
                notifyAll();
            }
        }
        if (exchange.getException() == null && live.isLive()) {
            stepRows.end(id(), planned.ordinal(), RunStatus.COMPLETED, records(exchange), null);
            done++;
        }
        current = null;
    }

    /** Waits until no step of this run is at work any more (after a stop); false when it still is. */
    synchronized boolean awaitIdle(long millis) throws InterruptedException {
        if (worker == Thread.currentThread()) {
            return true;
        }
        long until = System.currentTimeMillis() + millis;
        while (worker != null && System.currentTimeMillis() < until) {
            wait(Math.max(1, until - System.currentTimeMillis()));
        }
        return worker == null;
    }

    private int progress() {
        return plan.isEmpty() ? 0 : 100 * done / plan.size();
    }

    /** The row says the run ended or must stop (a cancel seen before this instance's heartbeat did). */
    private void stopFromRow() {
        if (live.isLive()) {
            live.stopFromRow();
        }
    }

    private static long records(Exchange exchange) {
        for (String header : List.of(SQL_UPDATE_COUNT, SQL_ROW_COUNT, RECORDS)) {
            Number count = exchange.getMessage().getHeader(header, Number.class);
            if (count != null) {
                return count.longValue();
            }
        }
        return 0;
    }

    /** A step (or the route around the steps) failed: the step row and the run end failed, naming it. */
    @Override
    public void fail(Throwable cause, Exchange exchange) {
        String step = current;
        String reason = describe(cause);
        if (!live.claimEnd()) {
            return;
        }
        if (step != null) {
            try {
                stepRows.end(id(), plan.get(step).ordinal(), RunStatus.FAILED, 0, reason);
            } catch (RuntimeException e) {
                LOG.warn("Run {}: the failure of step {} was not written: {}", id(), step, e.getMessage());
            }
        }
        live.record(RunStatus.FAILED, (step == null ? "job " + job : "step " + step) + " failed: " + reason, step);
    }

    /** Every planned step ran: the run is completed (unless it ended another way meanwhile). */
    boolean complete() {
        if (!live.claimEnd()) {
            return false;
        }
        live.record(RunStatus.COMPLETED, null, null);
        return true;
    }

    /**
     * The run was ended from outside (its end closed its running step row): cancel the step's SQL and
     * interrupt its thread.
     */
    private void stopWork(RunStatus status) {
        List<WatchedDataSource.Held> held;
        synchronized (this) {
            stopped = true;
            if (worker != null && worker != Thread.currentThread()) {
                worker.interrupt();
            }
            held = List.copyOf(connections);
        }
        for (WatchedDataSource.Held connection : held) {
            try {
                connection.cancel();
            } catch (SQLException | RuntimeException e) {
                LOG.debug("Run {}: cancelling its statement: {}", id(), e.getMessage());
            }
        }
        // whoever stops the run goes on (starts the next run, confirms the stop) only once the step has let go
        try {
            if (!awaitIdle(STOP_WAIT_MS)) {
                LOG.warn("Run {}: its step {} did not stop within {} s of the cancel", id(), current, STOP_WAIT_MS / 1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What failed, in a line: a database's own message (without Spring's wrapping of the SQL) or the HTTP failure. */
    static String describe(Throwable cause) {
        SQLException sql = HttpFailures.find(cause, SQLException.class);
        if (sql != null && sql.getMessage() != null) {
            return sql.getMessage().strip().split("\\R", 2)[0];
        }
        return HttpFailures.describe(cause);
    }

    @Override
    public String toString() {
        return live.toString();
    }
}
