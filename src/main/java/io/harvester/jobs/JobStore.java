package io.harvester.jobs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.harvester.runs.RunSql;
import io.harvester.runs.RunStatus;
import io.harvester.secrets.Secrets;

/** The job-specific reads and writes of the run model ({@code runs}, {@code run_steps}). */
final class JobStore {

    /** A step row of an earlier run: whether it is done and in which run, and how often it was tried. */
    record StepRow(RunStatus status, int attempt, Long completedIn) {
    }

    private final RunSql sql;

    JobStore(RunSql sql) {
        this.sql = sql;
    }

    Optional<JobPolicy.Live> live(String pipeline) {
        return sql.queryRow("""
                select id, extract(epoch from now() - coalesce(heartbeat_at, started_at, created_at))::float8,
                       extract(epoch from now() - coalesce(started_at, created_at))::float8
                from runs where pipeline = ? and status in ('pending', 'running') limit 1""", pipeline)
                .map(r -> new JobPolicy.Live((Long) r[0], (Double) r[1], (Double) r[2]));
    }

    Optional<JobPolicy.Ended> lastEnded(String pipeline) {
        return sql.queryRow("""
                select id, status from runs
                where pipeline = ? and status not in ('pending', 'running', 'skipped') and params ->> 'step' is null
                order by id desc limit 1""", pipeline)
                .map(r -> new JobPolicy.Ended((Long) r[0], RunStatus.of((String) r[1])));
    }

    int skipsAgainst(long run) {
        return sql.queryId("select count(*) from runs where blocked_by = ?", run).orElse(0L).intValue();
    }

    /** Whether the run's owner gave no instance heartbeat for {@code staleMillis} (or is unknown). */
    boolean ownerGone(long run, long staleMillis) {
        return sql.queryRow("""
                select coalesce(i.heartbeat_at < now() - make_interval(secs => ? / 1000.0), true)
                from runs r left join instances i on i.id = r.owner where r.id = ?""", staleMillis, run)
                .map(r -> (Boolean) r[0]).orElse(true);
    }

    /** Whether the owner of a run asked to stop has ended it and confirmed that nothing of it works any more. */
    boolean stopConfirmed(long run) {
        return sql.queryRow("select status not in ('pending', 'running') and cancel_requested is null from runs where id = ?",
                run).map(r -> (Boolean) r[0]).orElse(true);
    }

    /** The step rows of a run by name. */
    Map<String, StepRow> steps(long run) {
        Map<String, StepRow> steps = new LinkedHashMap<>();
        for (Object[] r : sql.queryRows("""
                select name, status, attempt,
                       case when status = 'completed' then run_id else (result ->> 'completedIn')::bigint end
                from run_steps where run_id = ? order by ordinal""", run)) {
            steps.put((String) r[0], new StepRow(RunStatus.of((String) r[1]), (Integer) r[2], (Long) r[3]));
        }
        return steps;
    }

    /** Creates the run's step rows in one statement: {@code pending}, or {@code skipped} when done in an earlier run. */
    void createSteps(long run, List<JobRun.Planned> steps) {
        sql.update("""
                insert into run_steps (run_id, ordinal, name, status, attempt, started_at, finished_at, result)
                select ?, t.ordinal, t.name, t.status, t.attempt,
                       case when t.completed_in is null then null else now() end,
                       case when t.completed_in is null then null else now() end,
                       case when t.completed_in is null then null
                            else jsonb_build_object('completedIn', t.completed_in) end
                from unnest(?::int[], ?::text[], ?::text[], ?::int[], ?::bigint[])
                     as t(ordinal, name, status, attempt, completed_in)""",
                run, steps.stream().map(JobRun.Planned::ordinal).toArray(Integer[]::new),
                steps.stream().map(JobRun.Planned::name).toArray(String[]::new),
                steps.stream().map(p -> p.status().word()).toArray(String[]::new),
                steps.stream().map(JobRun.Planned::attempt).toArray(Integer[]::new),
                steps.stream().map(JobRun.Planned::completedIn).toArray(Long[]::new));
    }

    /** Marks a step running, unless its run has ended or is asked to stop: then false, and it must not run. */
    boolean stepRunning(long run, int ordinal, String currentStep, int progress) {
        // the run's row first: its lock orders this against an end or a cancel written meanwhile
        return sql.update("""
                with live as (
                    update runs set current_step = ?, progress = ?, heartbeat_at = now()
                    where id = ? and status = 'running' and cancel_requested is null
                    returning id)
                update run_steps set status = 'running', started_at = now(), finished_at = null
                where run_id in (select id from live) and ordinal = ?""", currentStep, progress, run, ordinal) == 1;
    }

    void stepEnded(long run, int ordinal, RunStatus status, long records, String error) {
        sql.update("""
                update run_steps set status = ?, records = ?, error = ?, finished_at = now()
                where run_id = ? and ordinal = ? and status = 'running'""",
                status.word(), records, Secrets.mask(error), run, ordinal);
    }

    void progress(long run, int progress, String currentStep) {
        sql.update("update runs set progress = ?, current_step = ?, heartbeat_at = now() where id = ? and status = 'running'",
                progress, currentStep, run);
    }


}
