package io.harvester.runs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.infra.InstanceId;
import io.harvester.secrets.Secrets;

/**
 * Reads and writes the run model ({@code runs}, {@code run_steps}, {@code run_logs}, {@code run_outputs}).
 * Every write is one short statement in autocommit, so a crash never leaves a run half-updated. The
 * free text it writes is masked ({@link Secrets}): params and step results (their values), errors and
 * log messages; keys such as the pipeline and the owner are written as they are.
 */
public class RunStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RunSql sql;
    private final String owner;

    public RunStore(DataSource dataSource, String owner) {
        this.sql = new RunSql(dataSource);
        this.owner = owner;
    }

    /** Statements on the run model, for the pipeline kinds' own queries. */
    public RunSql sql() {
        return sql;
    }

    public String owner() {
        return owner;
    }

    /**
     * Starts a run unless the pipeline already has a live one; then the result is empty, and with
     * {@code recordSkip} the trigger is recorded as a {@code skipped} run naming the live run. One statement
     * decides which, so a skipped trigger takes one id, that of its own row.
     */
    public Optional<Long> begin(String pipeline, String trigger, Map<String, ?> params, String outputDir, boolean recordSkip) {
        String paramsJson = json(params);
        String live = "select id from runs where pipeline = ? and status in ('pending', 'running') limit 1";
        Optional<Object[]> row = sql.queryRow("""
                with live as (""" + live + """
                )
                insert into runs (pipeline, status, trigger, params, started_at, finished_at, heartbeat_at, owner,
                                  output_dir, current_step, error)
                select ?, case when l.id is null then 'running' else 'skipped' end, ?, ?::jsonb, now(),
                       case when l.id is null then null else now() end, now(), ?, ?,
                       case when l.id is null then 'starting' end,
                       case when l.id is null then null else 'skipped: run ' || l.id || ' of ' || ? || ' is still in progress' end
                from (select 1) one left join live l on true
                where l.id is null or ?
                on conflict (pipeline) where status in ('pending', 'running') do nothing
                returning id, status""", pipeline, pipeline, trigger, paramsJson, owner, outputDir, pipeline, recordSkip);
        if (row.isPresent()) {
            return RunStatus.RUNNING.word().equals(row.get()[1]) ? Optional.of((Long) row.get()[0]) : Optional.empty();
        }
        if (!recordSkip) {
            return Optional.empty();
        }
        // another instance began a run between our look and our insert
        Long other = sql.queryId(live, pipeline).orElse(null);
        sql.update("""
                insert into runs (pipeline, status, trigger, params, created_at, started_at, finished_at, owner, error)
                values (?, 'skipped', ?, ?::jsonb, now(), now(), now(), ?, ?)""",
                pipeline, trigger, paramsJson, owner, "skipped: run " + other + " of " + pipeline + " is still in progress");
        return Optional.empty();
    }

    public void step(long runId, int ordinal, String name, RunStatus status, long records, Map<String, ?> result,
                     String error) {
        sql.update("""
                insert into run_steps (run_id, ordinal, name, status, started_at, finished_at, records, result, error)
                values (?, ?, ?, ?, now(), case when ? in ('completed', 'failed', 'partial', 'skipped') then now() end,
                        ?, ?::jsonb, ?)
                on conflict (run_id, ordinal) do update set
                    status = excluded.status, records = excluded.records, result = excluded.result,
                    error = excluded.error,
                    finished_at = case when excluded.status in ('completed', 'failed', 'partial', 'skipped')
                                       then now() end""",
                runId, ordinal, name, status.word(), status.word(), records, result == null ? null : json(result), Secrets.mask(error));
    }

    public void progress(long runId, int progress, String currentStep) {
        sql.update("update runs set progress = ?, current_step = ?, heartbeat_at = now() where id = ? and status = 'running'",
                Math.max(0, Math.min(100, progress)), currentStep, runId);
    }

    public void output(long runId, String path, long bytes, long rows, String sha256, boolean primary) {
        sql.update("insert into run_outputs (run_id, path, bytes, rows, sha256, \"primary\") values (?, ?, ?, ?, ?, ?)",
                runId, path, bytes, rows, sha256, primary);
    }

    /** Removes the run_outputs row of a run whose published file was withdrawn (its log file stays). */
    public void withdrawOutputs(long runId) {
        sql.update("delete from run_outputs where run_id = ? and \"primary\"", runId);
    }

    /**
     * Ends a live run; a run that already ended keeps its first outcome. A step still running when the run
     * ends otherwise than completed ends with it ({@code failed} with a failed run, else {@code cancelled}),
     * carrying the run's reason.
     */
    public boolean finish(long runId, RunStatus status, String error) {
        return sql.queryId("""
                with ended as (
                    update runs set status = ?, error = ?, finished_at = now(), heartbeat_at = now(),
                        progress = case when ? = 'completed' then 100 else progress end
                    where id = ? and status in ('pending', 'running')
                    returning id, status, error),
                steps as (
                    update run_steps st set status = case when e.status = 'failed' then 'failed' else 'cancelled' end,
                        finished_at = now(), error = e.error
                    from ended e where st.run_id = e.id and st.status = 'running' and e.status <> 'completed')
                select count(*) from ended""", status.word(), Secrets.mask(error), status.word(), runId).orElse(0L) == 1;
    }

    /** Ends a live run nobody here works on (its owner is gone), with a run_logs row; false when it had ended. */
    public boolean endOrphan(long runId, RunStatus status, String error) {
        boolean ended = finish(runId, status, error);
        if (ended) {
            log(runId, null, "ERROR", error);
        }
        return ended;
    }

    public void log(long runId, String step, String level, String message) {
        sql.update("insert into run_logs (run_id, step, level, message) values (?, ?, ?, ?)", runId, step, level,
                Secrets.mask(message));
    }

    /**
     * Runs this instance left live when it died can never finish: they end abandoned, with their running
     * step and a run_logs row, and the statements the dead process left running are cancelled.
     */
    public int abandonRunsOf(String instance) {
        List<Object[]> ended = sql.queryRows("""
                with ended as (
                    update runs set status = 'abandoned', finished_at = now(),
                        error = 'abandoned: the Harvester instance running it stopped before it finished'
                    where owner = ? and status in ('pending', 'running')
                    returning id, status, error, owner),""" + CLOSE_ENDED, instance);
        if (!ended.isEmpty()) {
            // nothing of this process runs yet: a busy connection of this instance's name is the dead one's
            cancelStatementsOf(List.of(instance));
        }
        return ended.size();
    }

    /** Ends the running steps of the runs in CTE {@code ended} (id, status, error, owner) as {@link #finish} does, and logs their end. */
    private static final String CLOSE_ENDED = """

                steps as (
                    update run_steps st set status = case when e.status = 'failed' then 'failed' else 'cancelled' end,
                        finished_at = now(), error = e.error
                    from ended e where st.run_id = e.id and st.status = 'running'),
                logged as (
                    insert into run_logs (run_id, level, message) select id, 'ERROR', error from ended)
                select status, owner from ended""";

    /** Ends the busy connections of the given (dead) instances on this database (application_name). */
    private void cancelStatementsOf(List<String> instances) {
        String[] names = instances.stream().map(InstanceId::applicationName).distinct().toArray(String[]::new);
        // terminated, not only cancelled: an 'idle in transaction' backend of a dead process holds its locks
        sql.queryRows("select pg_terminate_backend(pid) from pg_stat_activity where application_name = any (?)"
                + " and datname = current_database() and state <> 'idle' and pid <> pg_backend_pid()", (Object) names);
    }

    /**
     * Marks this instance and the runs it works on as alive now. Returns the ids of those runs that it must
     * stop: their row was ended elsewhere (another instance cancelled or swept them) or carries a cancel
     * request ({@link #state} says which).
     */
    public List<Long> heartbeat(Collection<Long> liveRuns) {
        sql.update("insert into instances (id) values (?) on conflict (id) do update set heartbeat_at = now()", owner);
        if (liveRuns.isEmpty()) {
            return List.of();
        }
        Long[] ids = liveRuns.toArray(Long[]::new);
        return sql.queryRows("""
                with beaten as (
                    update runs set heartbeat_at = now()
                    where id = any (?) and status in ('pending', 'running') and cancel_requested is null
                    returning id)
                select r.id from runs r where r.id = any (?) and r.id not in (select id from beaten)""", ids, ids)
                .stream().map(r -> (Long) r[0]).toList();
    }

    /** A run's status and why it was stopped (its cancel request, else its error), read now. */
    public Optional<RunState> state(long runId) {
        return sql.queryRow("select status, coalesce(cancel_requested, error, status) from runs where id = ?", runId)
                .map(r -> new RunState(RunStatus.of((String) r[0]), (String) r[1]));
    }

    /** A run's status and why it was stopped. */
    public record RunState(RunStatus status, String reason) {
    }

    /**
     * Ends the live runs of every instance that gave no heartbeat for their pipeline's threshold
     * ({@code thresholds}, else {@code defaultMillis}; a run killed before its first beat counts from its
     * start): {@code abandoned} ("instance X silent since T") when their owner stopped beating too,
     * {@code failed} when the owner still beats but the run went silent. The owner is judged by its own
     * beat in table instances, over the run's threshold capped at {@code defaultMillis}: a killed
     * instance's last beat is as old as its run's, however short the run's threshold (a job's stuck-after).
     * Each ended run gets a run_logs row, and its running step ends with it. The statements an owner left
     * running are terminated only once it has been silent for {@code defaultMillis} (stale-after): a live
     * instance whose beat is merely late (a GC pause, an exhausted pool) loses the run, not its other work.
     * Returns how many runs were ended.
     */
    public int sweep(long defaultMillis, Map<String, Long> thresholds) {
        String[] pipelines = thresholds.keySet().toArray(String[]::new);
        Long[] millis = thresholds.values().toArray(Long[]::new);
        List<Object[]> ended = sql.queryRows("""
                with silent as (
                    select r.id, r.owner, coalesce(r.heartbeat_at, r.started_at, r.created_at) as last_beat,
                           coalesce(t.millis, ?) as threshold,
                           -- an owner without a row in instances is unknown here: its run's last beat is its last sign
                           coalesce(i.heartbeat_at, r.heartbeat_at, r.started_at, r.created_at) as owner_last_beat,
                           coalesce(i.heartbeat_at > now() - make_interval(secs => least(coalesce(t.millis, ?), ?) / 1000.0),
                                    false) as owner_alive
                    from runs r
                    left join instances i on i.id = r.owner
                    left join unnest(?::text[], ?::bigint[]) as t(pipeline, millis) on t.pipeline = r.pipeline
                    where r.status in ('pending', 'running')
                      and coalesce(r.heartbeat_at, r.started_at, r.created_at)
                          < now() - make_interval(secs => coalesce(t.millis, ?) / 1000.0)),
                ended as (
                    update runs r set status = case when s.owner_alive then 'failed' else 'abandoned' end,
                        finished_at = now(),
                        error = case when s.owner_alive
                            then 'failed: no heartbeat since ' || to_char(s.last_beat at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS')
                                 || ' UTC from instance ' || coalesce(s.owner, '?') || ', which is alive but no longer works on it'
                            else 'abandoned: instance ' || coalesce(s.owner, '?') || ' silent since '
                                 || to_char(s.owner_last_beat at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC' end
                    from silent s
                    where r.id = s.id and r.status in ('pending', 'running')
                      -- again on the row as it is now: a beat that committed meanwhile keeps the run
                      and coalesce(r.heartbeat_at, r.started_at, r.created_at) < now() - make_interval(secs => s.threshold / 1000.0)
                    returning r.id, r.status, r.error, s.owner),""" + CLOSE_ENDED,
                defaultMillis, defaultMillis, defaultMillis, pipelines, millis, defaultMillis);
        List<String> silent = ended.stream().filter(r -> RunStatus.ABANDONED.word().equals(r[0]) && r[1] != null)
                .map(r -> (String) r[1]).distinct().toList();
        // a killed process's statement runs on in PostgreSQL until it ends: it must not commit a dead run's work.
        // Its run may have been ended sweeps ago (a job's stuck-after is shorter than stale-after): every sweep
        // looks at each instance silent for stale-after (within the last day), not only at this sweep's owners.
        Set<String> gone = new LinkedHashSet<>(silentFor(silent, defaultMillis));
        sql.queryRows("select id from instances where id <> ? and heartbeat_at < now() - make_interval(secs => ? / 1000.0)"
                + " and heartbeat_at > now() - interval '1 day'", owner, defaultMillis).forEach(r -> gone.add((String) r[0]));
        if (!gone.isEmpty()) {
            cancelStatementsOf(new ArrayList<>(gone));
        }
        return ended.size();
    }

    /** Those of the instances that gave no beat for {@code millis}, or have no row in instances (unknown here). */
    private List<String> silentFor(List<String> instances, long millis) {
        if (instances.isEmpty()) {
            return List.of();
        }
        return sql.queryRows("""
                select o.id from unnest(?::text[]) as o(id) left join instances i on i.id = o.id
                where coalesce(i.heartbeat_at < now() - make_interval(secs => ? / 1000.0), true)""",
                instances.toArray(String[]::new), millis).stream().map(r -> (String) r[0]).toList();
    }

    /** Asks the owner of a live run to stop it (it ends {@code cancelled} on the owner's next heartbeat); false when it had ended. */
    public boolean requestCancel(long runId, String reason) {
        return sql.update("update runs set cancel_requested = ? where id = ? and status in ('pending', 'running')",
                Secrets.mask(reason), runId) == 1;
    }

    /** The live run of a pipeline, on any instance. */
    public Optional<Long> liveRun(String pipeline) {
        return sql.queryId("select id from runs where pipeline = ? and status in ('pending', 'running') limit 1", pipeline);
    }

    /** The owner of a run others asked to stop confirms it stopped working on it (its cancel request is cleared). */
    public void confirmStopped(long runId) {
        sql.update("update runs set cancel_requested = null where id = ?", runId);
    }

    /** Records a trigger the job failure policy skipped, naming the failed or stuck run it counts against. */
    public long skip(String pipeline, String trigger, Map<String, ?> params, long blockedBy, String reason) {
        return sql.queryId("""
                insert into runs (pipeline, status, trigger, params, started_at, finished_at, owner, error, blocked_by)
                values (?, 'skipped', ?, ?::jsonb, now(), now(), ?, ?, ?) returning id""",
                pipeline, trigger, json(params), owner, reason, blockedBy).orElseThrow();
    }

    /** The newest run of a pipeline, other than {@code except}, whose status is one of these. */
    public Optional<Long> latest(String pipeline, long except, RunStatus... statuses) {
        return sql.queryId("select id from runs where pipeline = ? and id <> ? and status = any (?) order by id desc limit 1",
                pipeline, except, Arrays.stream(statuses).map(RunStatus::word).toArray(String[]::new));
    }

    /** A run that ended, as JMX shows a pipeline's last run. */
    public record EndedRun(long id, RunStatus status, Instant finishedAt, String error) {
    }

    /** The newest run of a pipeline that ended; skipped triggers are not runs that ended. */
    public Optional<EndedRun> lastEnded(String pipeline) {
        return sql.queryRow("""
                select id, status, finished_at, error from runs
                where pipeline = ? and status not in ('pending', 'running', 'skipped') order by id desc limit 1""", pipeline)
                .map(r -> new EndedRun((Long) r[0], RunStatus.of((String) r[1]),
                        r[2] instanceof Timestamp t ? t.toInstant() : null, (String) r[3]));
    }

    public void resumedFrom(long runId, long earlierRun) {
        sql.update("update runs set resumed_from = ? where id = ?", earlierRun, runId);
    }

    public boolean isLive(long runId) {
        return sql.queryId("select id from runs where id = ? and status in ('pending', 'running')", runId).isPresent();
    }

    /** A finished run old enough for retention, with the files it published as {@code run_outputs} names them. */
    public record ExpiredRun(long id, String pipeline, String outputDir, List<String> outputs) {
    }

    /** One batch of retention: the runs it looked at, in id order, and how many of them it deleted. */
    public record RetentionBatch(List<ExpiredRun> runs, int deleted) {
        /** Where the next batch starts (ids above this one). */
        public long lastId() {
            return runs.isEmpty() ? Long.MAX_VALUE : runs.get(runs.size() - 1).id();
        }
    }

    /**
     * One batch of retention, in one short transaction: locks up to {@code limit} finished runs with
     * ids above {@code afterId} that ended (or, never started, were created) more than
     * {@code retentionDays} days ago, hands them to {@code removeFiles}, and deletes the runs it answers
     * for (their steps, logs, outputs and crawl checkpoint go with them: {@code on delete cascade}).
     * A run whose files could not all be removed is left out by {@code removeFiles} and stays whole.
     * <p>
     * Kept whatever their age: a run a live run continues ({@code resumed_from}), and a checkpoint a crawl
     * would still continue (HierarchyCrawl): an abandoned or interrupted run with {@code crawl_nodes} that
     * no later run of its pipeline ended after, and a partial one (retryFailedSubtrees) that no later
     * completed, partial or failed run superseded. Finished runs that merely name a deleted run in
     * {@code resumed_from} lose that reference; their checkpoint was moved to them when they took it over.
     */
    public RetentionBatch deleteExpired(int retentionDays, long afterId, int limit,
                                        Function<List<ExpiredRun>, Collection<Long>> removeFiles) {
        String expired = RUN_FILES + """
                from runs r
                where r.id > ? and r.status not in ('pending', 'running')
                  and coalesce(r.finished_at, r.created_at) < now() - make_interval(days => ?)
                  and not exists (select 1 from runs l where l.resumed_from = r.id and l.status in ('pending', 'running'))
                  -- a job's newest ended run decides its next trigger (skip, resume), and its skips count
                  and not (r.pipeline like 'job:%' and r.status <> 'skipped' and r.params ->> 'step' is null
                           and not exists (select 1 from runs n where n.pipeline = r.pipeline and n.id > r.id
                                and n.status not in ('pending', 'running', 'skipped') and n.params ->> 'step' is null))
                  and not (r.status = 'skipped' and r.blocked_by is not null
                           and not exists (select 1 from runs n where n.pipeline = r.pipeline and n.id > r.blocked_by
                                and n.status not in ('pending', 'running', 'skipped') and n.params ->> 'step' is null))
                  and not (r.status in ('abandoned', 'interrupted', 'partial')
                           and exists (select 1 from crawl_nodes n where n.run_id = r.id)
                           and not exists (select 1 from runs later where later.pipeline = r.pipeline and later.id > r.id
                                and (later.status in ('completed', 'partial', 'failed')
                                     or (later.status in ('abandoned', 'interrupted') and r.status <> 'partial'))))
                order by r.id
                limit ?
                for update of r skip locked""";
        return sql.transaction("delete expired runs", c -> {
            List<ExpiredRun> runs = new ArrayList<>();
            try (PreparedStatement ps = RunSql.prepare(c, expired, afterId, retentionDays, limit); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    runs.add(runFiles(rs));
                }
            }
            Long[] gone = runs.isEmpty() ? new Long[0] : removeFiles.apply(runs).toArray(Long[]::new);
            return new RetentionBatch(runs, deleteRows(c, gone));
        });
    }

    /** A run's id, pipeline, output folder and published files: columns 1 to 4 of a query starting with {@link #RUN_FILES}. */
    private static final String RUN_FILES = """
            select r.id, r.pipeline, r.output_dir,
                   array(select o.path from run_outputs o where o.run_id = r.id order by o.path) as outputs
            """;

    private static ExpiredRun runFiles(ResultSet rs) throws SQLException {
        return new ExpiredRun(rs.getLong(1), rs.getString(2), rs.getString(3), List.of((String[]) rs.getArray(4).getArray()));
    }

    /** Deletes these runs with everything that cascades from them; runs naming them in resumed_from lose that reference. */
    private static int deleteRows(Connection c, Long[] gone) throws SQLException {
        if (gone.length == 0) {
            return 0;
        }
        try (PreparedStatement ps = RunSql.prepare(c, "update runs set resumed_from = null where resumed_from = any (?)",
                (Object) gone)) {
            ps.executeUpdate();
        }
        try (PreparedStatement ps = RunSql.prepare(c, "delete from runs where id = any (?)", (Object) gone)) {
            return ps.executeUpdate();
        }
    }

    /**
     * What {@link #deleteFinished} found: the run's status (null when there is no such run), the live run
     * that continues it (null when none), and whether its rows went.
     */
    public record Deletion(RunStatus status, Long continuedBy, boolean deleted) {
    }

    /**
     * Deletes one finished run on request, as retention deletes an expired one, in one short transaction:
     * the run is locked, {@code removeFiles} removes its files, and its rows go (steps, logs, outputs and
     * crawl checkpoint cascade) unless {@code removeFiles} left it out. A live run, or a finished one a live
     * run continues ({@code resumed_from}), is left alone.
     */
    public Deletion deleteFinished(long runId, Function<List<ExpiredRun>, Collection<Long>> removeFiles) {
        String run = RUN_FILES + """
                     , r.status,
                       (select l.id from runs l where l.resumed_from = r.id and l.status in ('pending', 'running') limit 1)
                from runs r where r.id = ?
                for update of r""";
        return sql.transaction("delete run", c -> {
            ExpiredRun found;
            RunStatus status;
            Long continuedBy;
            try (PreparedStatement ps = RunSql.prepare(c, run, runId); ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new Deletion(null, null, false);
                }
                found = runFiles(rs);
                status = RunStatus.of(rs.getString(5));
                continuedBy = (Long) rs.getObject(6);
            }
            if (status.isLive() || continuedBy != null) {
                return new Deletion(status, continuedBy, false);
            }
            Long[] gone = removeFiles.apply(List.of(found)).toArray(Long[]::new);
            return new Deletion(status, null, deleteRows(c, gone) == 1);
        });
    }

    /** The map as JSON, its text values masked (a URL in params may carry a key). */
    private static String json(Map<String, ?> value) {
        Map<String, Object> masked = new LinkedHashMap<>();
        if (value != null) {
            value.forEach((k, v) -> masked.put(k, v instanceof String text ? Secrets.mask(text) : v));
        }
        try {
            return JSON.writeValueAsString(masked);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not representable as JSON: " + value, e);
        }
    }

    /** A run-model write failed; names the statement, never its arguments (they may hold user data). */
    public static final class RunStoreException extends RuntimeException {
        RunStoreException(String sql, SQLException cause) {
            super("run store: " + sql.strip().split("\\s+", 4)[0] + " on run model failed: " + cause.getMessage(), cause);
        }
    }
}
