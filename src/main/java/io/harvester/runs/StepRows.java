package io.harvester.runs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.harvester.secrets.Secrets;

/**
 * The statements on {@code run_steps} (part of {@link RunRepository}): a pipeline's steps as it writes them
 * while it works, a job's planned steps, and the steps of a run as they are read back. Errors are masked
 * ({@link Secrets}), results (their values) too.
 */
public final class StepRows {

    /** A job's step as planned when its run starts: pending, or skipped because an earlier run completed it. */
    public record Planned(int ordinal, String name, RunStatus status, int attempt, Long completedIn) {
    }

    /** The run whose id is bound next is running, its row share-locked until the statement's transaction ends. */
    private static final String RUNNING_SHARED = RunStatus.sql("exists (select 1 from runs r where r.id = ? and r.status = {RUNNING} for share)");

    private final RunSql sql;
    private final RunFence fence;

    StepRows(RunSql sql, RunFence fence) {
        this.sql = sql;
        this.fence = fence;
    }

    /**
     * Writes a step's row, or its new state: it ends (its finish time set) with a status that is an end. A step
     * is written {@code running} (a start, a crawl's progress) only while its run is: the run's row is read
     * under a share lock, so the write and the run's end go one after the other, and the end either closes the
     * step ({@link #closeRunning}) or has made this write a no-op. Without the lock a write checked before an
     * end and committed after it left its step running under the ended run.
     */
    public void write(long runId, int ordinal, String name, RunStatus status, long records, Map<String, ?> result,
                      String error) {
        boolean running = status == RunStatus.RUNNING;
        Object[] params = {runId, ordinal, name, status.word(), status.word(), records,
                result == null ? null : RunRepository.json(result), Secrets.mask(error), runId};
        fence.write(runId, RunStatus.sql("""
                insert into run_steps (run_id, ordinal, name, status, started_at, finished_at, records, result, error)
                select ?, ?, ?, ?, now(), case when ? in ({COMPLETED}, {FAILED}, {PARTIAL}, {SKIPPED}) then now() end,
                       ?, ?::jsonb, ?
                where""" + " " + RunFence.HOLDS + (running ? " and " + RUNNING_SHARED : "") + """

                on conflict (run_id, ordinal) do update set
                    status = excluded.status, records = excluded.records, result = excluded.result,
                    error = excluded.error,
                    finished_at = case when excluded.status in ({COMPLETED}, {FAILED}, {PARTIAL}, {SKIPPED})
                                       then now() end"""),
                running ? params : Arrays.copyOf(params, params.length - 1));
    }

    /** Creates a job run's step rows in one statement; a step done in an earlier run names it in its result. */
    public void plan(long runId, List<Planned> steps) {
        fence.write(runId, """
                insert into run_steps (run_id, ordinal, name, status, attempt, started_at, finished_at, result)
                select ?, t.ordinal, t.name, t.status, t.attempt,
                       case when t.completed_in is null then null else now() end,
                       case when t.completed_in is null then null else now() end,
                       case when t.completed_in is null then null
                            else jsonb_build_object('completedIn', t.completed_in) end
                from unnest(?::int[], ?::text[], ?::text[], ?::int[], ?::bigint[])
                     as t(ordinal, name, status, attempt, completed_in)
                where""" + " " + RunFence.HOLDS,
                runId, steps.stream().map(Planned::ordinal).toArray(Integer[]::new),
                steps.stream().map(Planned::name).toArray(String[]::new),
                steps.stream().map(p -> p.status().word()).toArray(String[]::new),
                steps.stream().map(Planned::attempt).toArray(Integer[]::new),
                steps.stream().map(Planned::completedIn).toArray(Long[]::new));
    }

    /**
     * Plans again, on a run taken over from a dead instance, the steps it has still to run: their rows go back
     * to {@code pending} with their new attempt; the steps it completed keep their rows.
     */
    public void replan(long runId, List<Planned> toRun) {
        fence.write(runId, RunStatus.sql("""
                insert into run_steps (run_id, ordinal, name, status, attempt)
                select ?, t.ordinal, t.name, {PENDING}, t.attempt
                from unnest(?::int[], ?::text[], ?::int[]) as t(ordinal, name, attempt)
                where""" + " " + RunFence.HOLDS + """

                on conflict (run_id, ordinal) do update set status = {PENDING}, attempt = excluded.attempt,
                    started_at = null, finished_at = null, records = 0, error = null, result = null"""),
                runId, toRun.stream().map(Planned::ordinal).toArray(Integer[]::new),
                toRun.stream().map(Planned::name).toArray(String[]::new),
                toRun.stream().map(Planned::attempt).toArray(Integer[]::new));
    }

    /** Marks a planned step running, unless its run has ended or is asked to stop: then false, and it must not run. */
    public boolean start(long runId, int ordinal, String currentStep, int progress) {
        // the run's row first: its lock orders this against an end or a cancel written meanwhile
        Object[] held = fence.heldParams(runId);
        boolean started = sql.update(RunStatus.sql("""
                with live as (
                    update runs set current_step = ?, progress = ?, heartbeat_at = now()
                    where id = ? and status = {RUNNING} and cancel_requested is null and""" + " " + RunFence.HELD + """

                    returning id)
                update run_steps set status = {RUNNING}, started_at = now(), finished_at = null
                where run_id in (select id from live) and ordinal = ?"""), currentStep, progress, runId, held[0], held[1],
                ordinal) == 1;
        if (!started) {
            fence.check(runId);
        }
        return started;
    }

    /** Ends a running step; a step its run's end closed already stays as that end left it. */
    public void end(long runId, int ordinal, RunStatus status, long records, String error) {
        fence.write(runId, RunStatus.sql("""
                update run_steps set status = ?, records = ?, error = ?, finished_at = now()
                where run_id = ? and ordinal = ? and status = {RUNNING} and""" + " " + RunFence.HOLDS),
                status.word(), records, Secrets.mask(error), runId, ordinal);
    }

    /**
     * Ends the running steps of runs this transaction has just ended: failed with a failed run, cancelled
     * otherwise, with the run's error; a completed run's steps are its own to end. A statement of its own after
     * the run's end, never a CTE beside it: a step start the end waited for (both update the run's row) is
     * seen only by a statement that begins after the end got the row, and one beside it left that step
     * running for good under its ended run.
     */
    static void closeRunning(Connection connection, Long[] runIds) throws SQLException {
        if (runIds.length == 0) {
            return;
        }
        try (PreparedStatement ps = RunSql.prepare(connection, RunStatus.sql("""
                update run_steps st set status = case when r.status = {FAILED} then {FAILED} else {CANCELLED} end,
                    finished_at = now(), error = r.error
                from runs r where r.id = any (?) and st.run_id = r.id and st.status = {RUNNING} and r.status <> {COMPLETED}"""),
                (Object) runIds)) {
            ps.executeUpdate();
        }
    }

    /** A run's steps in order. */
    public List<StepRow> of(long runId) {
        return sql.query("""
                select run_id, ordinal, name, status, attempt, records, started_at, finished_at, error, result
                from run_steps where run_id = ? order by ordinal""", StepRows::step, runId);
    }

    private static StepRow step(ResultSet row) throws SQLException {
        return new StepRow(row.getLong("run_id"), row.getInt("ordinal"), row.getString("name"), Columns.status(row, "status"),
                row.getInt("attempt"), row.getLong("records"), Columns.instant(row, "started_at"),
                Columns.instant(row, "finished_at"), row.getString("error"), Columns.json(row, "result"));
    }
}
