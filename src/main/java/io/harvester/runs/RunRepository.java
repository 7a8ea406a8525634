package io.harvester.runs;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.secrets.Secrets;

/**
 * The run model's one owner: every statement on {@code runs}, {@code run_steps}, {@code run_logs},
 * {@code run_outputs} and {@code instances} is issued here or by the parts it hands out per table
 * ({@link #steps()}, {@link #logs()}, {@link #outputs()}, {@link #heartbeats()}, {@link #deletions()}); rows come back as records
 * and statuses as {@link RunStatus} (RunTablesOwnerTest keeps it so). Every write is one short statement in
 * autocommit, or a short transaction where a run's end closes its steps and deletions, so a crash never leaves
 * a run half-updated. The free text it writes is masked
 * ({@link Secrets}): params and step results (their values), errors and log messages; keys such as the
 * pipeline and the owner are written as they are.
 */
public class RunRepository {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUN_COLUMNS = "id, pipeline, status, trigger, progress, current_step, error, created_at,"
            + " started_at, finished_at, owner";
    private static final String LIVE_RUN = "select id from runs where pipeline = ? and status in {LIVE} limit 1";

    private final RunSql sql;
    private final String owner;
    private final StepRows steps;
    private final LogRows logs;
    private final OutputRows outputs;
    private final RunDeletions deletions;
    private final Heartbeats heartbeats;
    private final RunFence fence;
    private final RunEvents events;

    public RunRepository(DataSource dataSource, String owner) {
        this.sql = new RunSql(dataSource);
        this.owner = owner;
        this.fence = new RunFence(sql, owner);
        this.events = new RunEvents(owner);
        this.steps = new StepRows(sql, fence);
        this.logs = new LogRows(sql, fence);
        this.outputs = new OutputRows(sql, fence);
        this.deletions = new RunDeletions(sql);
        this.heartbeats = new Heartbeats(sql, owner, fence, events);
    }

    /** Statements on the run model's database for the stores of other tables (dispatch, status); never for the run tables. */
    public RunSql sql() {
        return sql;
    }

    public String owner() {
        return owner;
    }

    /** The statements on {@code run_steps}. */
    public StepRows steps() {
        return steps;
    }

    /** The statements on {@code run_logs}. */
    public LogRows logs() {
        return logs;
    }

    /** The statements on {@code run_outputs}. */
    public OutputRows outputs() {
        return outputs;
    }

    /** Which runs this instance holds, at which epoch: the condition of every write of their state. */
    public RunFence fence() {
        return fence;
    }

    /** The statements on {@code instances} and the heartbeats of runs. */
    public Heartbeats heartbeats() {
        return heartbeats;
    }

    /** Where the ends and takeovers this instance records are told (notifications). */
    public RunEvents events() {
        return events;
    }

    /** The statements that delete runs (retention, DELETE /api/runs/{id}). */
    public RunDeletions deletions() {
        return deletions;
    }

    private record Inserted(long id, RunStatus status) {
    }

    /**
     * Starts a run unless the pipeline already has a live one; then the result is empty, and with
     * {@code recordSkip} the trigger is recorded as a {@code skipped} run naming the live run. One statement
     * decides which, so a skipped trigger takes one id, that of its own row.
     */
    public Optional<Long> begin(String pipeline, String trigger, Map<String, ?> params, String outputDir, boolean recordSkip) {
        String paramsJson = json(params);
        Optional<Inserted> row = sql.queryOne(RunStatus.sql("""
                with live as (""" + LIVE_RUN + """
                )
                insert into runs (pipeline, status, trigger, params, started_at, finished_at, heartbeat_at, owner,
                                  output_dir, current_step, error)
                select ?, case when l.id is null then {RUNNING} else {SKIPPED} end, ?, ?::jsonb, now(),
                       case when l.id is null then null else now() end, now(), ?, ?,
                       case when l.id is null then 'starting' end,
                       case when l.id is null then null else 'skipped: run ' || l.id || ' of ' || ? || ' is still in progress' end
                from (select 1) one left join live l on true
                where l.id is null or ?
                on conflict (pipeline) where status in {LIVE} do nothing
                returning id, status"""), r -> new Inserted(r.getLong("id"), Columns.status(r, "status")),
                pipeline, pipeline, trigger, paramsJson, owner, outputDir, pipeline, recordSkip);
        if (row.isPresent()) {
            if (row.get().status() != RunStatus.RUNNING) {
                return Optional.empty();
            }
            fence.hold(row.get().id(), 0);
            return Optional.of(row.get().id());
        }
        if (!recordSkip) {
            return Optional.empty();
        }
        // another instance began a run between our look and our insert
        Long other = liveRun(pipeline).orElse(null);
        sql.update(RunStatus.sql("""
                insert into runs (pipeline, status, trigger, params, created_at, started_at, finished_at, owner, error)
                values (?, {SKIPPED}, ?, ?::jsonb, now(), now(), now(), ?, ?)"""),
                pipeline, trigger, paramsJson, owner, "skipped: run " + other + " of " + pipeline + " is still in progress");
        return Optional.empty();
    }

    /** Records a trigger the job failure policy skipped, naming the failed or stuck run it counts against. */
    public long skip(String pipeline, String trigger, Map<String, ?> params, long blockedBy, String reason) {
        return sql.queryId(RunStatus.sql("""
                insert into runs (pipeline, status, trigger, params, started_at, finished_at, owner, error, blocked_by)
                values (?, {SKIPPED}, ?, ?::jsonb, now(), now(), ?, ?, ?) returning id"""),
                pipeline, trigger, json(params), owner, reason, blockedBy).orElseThrow();
    }

    /** Where a live run is: its progress in percent and the step it is at, shown while it works. */
    public void progress(long runId, int progress, String currentStep) {
        Object[] held = fence.heldParams(runId);
        if (sql.update(RunStatus.sql("update runs set progress = ?, current_step = ?, heartbeat_at = now() where id = ?"
                        + " and status = {RUNNING} and " + RunFence.HELD),
                Math.max(0, Math.min(100, progress)), currentStep, runId, held[0], held[1]) == 0) {
            fence.check(runId);
        }
    }

    /**
     * Ends a live run; a run that already ended keeps its first outcome. Its current step becomes
     * {@code summary}, its end in words ("completed: 2,500 rows in 10 pages"); null (a run nobody here works on,
     * {@link #endOrphan}) for the status and what the run was doing ("abandoned during fetch page 3/10"). A step still running when the run
     * ends otherwise than completed ends with it ({@code failed} with a failed run, else {@code cancelled}),
     * carrying the run's reason.
     */
    public boolean finish(long runId, RunStatus status, String error, String summary) {
        return finish(runId, status, error, summary, fence.heldParams(runId));
    }

    private boolean finish(long runId, RunStatus status, String error, String summary, Object[] held) {
        String masked = Secrets.mask(error);
        Optional<String> endedPipeline = sql.transaction("update runs (a run's end)", c -> {
            List<String> pipeline = RunSql.query(c, RunStatus.sql("""
                    update runs set status = ?, error = ?, finished_at = now(), heartbeat_at = now(),
                        progress = case when ? = {COMPLETED} then 100 else progress end,
                        current_step = coalesce(?, ? || coalesce(' during ' || current_step, ''))
                    where id = ? and status in {LIVE} and""" + " " + RunFence.HELD + """

                    returning pipeline"""), r -> r.getString("pipeline"), status.word(), masked, status.word(), summary,
                    status.word(), runId, held[0], held[1]);
            if (!pipeline.isEmpty() && status != RunStatus.COMPLETED) {
                // a completed run ended its steps itself
                StepRows.closeRunning(c, new Long[] {runId});
            }
            return pipeline.stream().findFirst();
        });
        boolean ended = endedPipeline.isPresent();
        if (ended) {
            // this statement wrote the end: no other instance's did
            events.ended(runId, endedPipeline.get(), status, masked);
        } else {
            // ended meanwhile (a sweep, a cancel) or no longer ours: the latter throws
            fence.check(runId);
        }
        fence.release(runId);
        return ended;
    }

    /** Ends a live run nobody here works on (its owner is gone), with a run_logs row; false when it had ended. */
    public boolean endOrphan(long runId, RunStatus status, String error) {
        // not this instance's copy at work: whatever this instance once held of the run, the row alone decides
        boolean ended = finish(runId, status, error, null, new Object[] {null, null});
        if (ended) {
            logs.write(runId, null, "ERROR", error);
        }
        return ended;
    }

    public void resumedFrom(long runId, long earlierRun) {
        sql.update("update runs set resumed_from = ? where id = ?", earlierRun, runId);
    }

    // ---- cancelling a run another instance owns

    /** A run's status and why it was stopped. */
    public record RunState(RunStatus status, String reason) {
    }

    /** A run's status and why it was stopped (its cancel request, else its error), read now. */
    public Optional<RunState> state(long runId) {
        return sql.queryOne("select status, coalesce(cancel_requested, error, status) as reason from runs where id = ?",
                r -> new RunState(Columns.status(r, "status"), r.getString("reason")), runId);
    }


    /** Asks the owner of a live run to stop it (it ends {@code cancelled} on the owner's next heartbeat); false when it had ended. */
    public boolean requestCancel(long runId, String reason) {
        return sql.update(RunStatus.sql("update runs set cancel_requested = ? where id = ? and status in {LIVE}"),
                Secrets.mask(reason), runId) == 1;
    }

    /** The owner of a run others asked to stop confirms it stopped working on it (its cancel request is cleared). */
    public void confirmStopped(long runId) {
        sql.update("update runs set cancel_requested = null where id = ?", runId);
    }

    /** Whether the owner of a run asked to stop has ended it and confirmed that nothing of it works any more. */
    public boolean stopConfirmed(long runId) {
        return sql.queryOne(RunStatus.sql("select status not in {LIVE} and cancel_requested is null as confirmed from runs"
                + " where id = ?"), r -> r.getBoolean("confirmed"), runId).orElse(true);
    }

    // ---- a pipeline's runs, as its kind decides its next run by them

    /** The live run of a pipeline, on any instance. */
    public Optional<Long> liveRun(String pipeline) {
        return sql.queryId(RunStatus.sql(LIVE_RUN), pipeline);
    }

    /** Whether the run is live and owned by this instance (one it took over, say). */
    public boolean ownsLive(long runId) {
        return sql.queryId(RunStatus.sql("select id from runs where id = ? and status in {LIVE} and owner = ?"), runId, owner)
                .isPresent();
    }

    /**
     * Takes up a live run this instance owns (one it claimed from a dead instance): its writes are fenced at the
     * row's takeovers count from now on. False when the row is no longer live and this instance's.
     */
    public boolean holdOwnedLive(long runId) {
        Optional<Long> epoch = sql.queryId(RunStatus.sql("select takeovers from runs where id = ? and status in {LIVE}"
                + " and owner = ?"), runId, owner);
        epoch.ifPresent(takeovers -> fence.hold(runId, takeovers.intValue()));
        return epoch.isPresent();
    }

    /** A live run another instance owns that this one may help with. */
    public record Helpable(long id, String pipeline, String trigger) {
    }

    /**
     * The live runs among {@code pipelines} spread over instances (their params say {@code "spread": true}),
     * owned by another instance that is alive (beat within {@code leaseMillis}): every instance that has the
     * pipeline helps with them.
     */
    public List<Helpable> spreadRunsOfOthers(long leaseMillis, java.util.Collection<String> pipelines) {
        if (pipelines.isEmpty()) {
            return List.of();
        }
        return sql.query(RunStatus.sql("""
                select r.id, r.pipeline, r.trigger from runs r
                where r.status = {RUNNING} and r.owner <> ? and r.pipeline = any (?) and r.params ->> 'spread' = 'true'
                  and""" + " " + Heartbeats.alive("r.owner") + " order by r.id"), row -> new Helpable(row.getLong("id"),
                row.getString("pipeline"), row.getString("trigger")), owner, pipelines.toArray(String[]::new), leaseMillis);
    }

    public boolean isLive(long runId) {
        return sql.queryId(RunStatus.sql("select id from runs where id = ? and status in {LIVE}"), runId).isPresent();
    }

    /** A pipeline's live run, with how long it has been silent (since its last heartbeat) and going, in seconds. */
    public record LiveAge(long id, double silentSeconds, double ageSeconds) {
    }

    /** The live run of a pipeline with its age, by the database's clock (heartbeats are written by it). */
    public Optional<LiveAge> liveAge(String pipeline) {
        return sql.queryOne(RunStatus.sql("""
                select id, extract(epoch from now() - coalesce(heartbeat_at, started_at, created_at))::float8 as silent,
                       extract(epoch from now() - coalesce(started_at, created_at))::float8 as age
                from runs where pipeline = ? and status in {LIVE} limit 1"""),
                r -> new LiveAge(r.getLong("id"), r.getDouble("silent"), r.getDouble("age")), pipeline);
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
        return sql.queryOne(RunStatus.sql("""
                select id, status, finished_at, error from runs
                where pipeline = ? and status not in ({PENDING}, {RUNNING}, {SKIPPED}) order by id desc limit 1"""),
                RunRepository::endedRun, pipeline);
    }

    /**
     * The whole run of a pipeline that ended decisively (completed, failed or abandoned) last before run {@code runId}
     * began (by id: runs begin in id order). Cancelled, interrupted and partial runs, skipped triggers and a job's
     * single-step runs say nothing of whether the pipeline works: whether a completed run is its recovery
     * (notifications). Empty when run {@code runId} is itself a single step.
     */
    public Optional<EndedRun> endedBefore(String pipeline, long runId) {
        return sql.queryOne(RunStatus.sql("""
                select id, status, finished_at, error from runs
                where pipeline = ? and id < ? and status in ({COMPLETED}, {FAILED}, {ABANDONED}) and params ->> 'step' is null
                  and not exists (select 1 from runs single where single.id = ? and single.params ->> 'step' is not null)
                order by id desc limit 1"""), RunRepository::endedRun, pipeline, runId, runId);
    }

    /** The newest run of a pipeline that ended having run all its steps: skipped triggers and single-step runs aside. */
    public Optional<EndedRun> lastEndedWholeRun(String pipeline) {
        return sql.queryOne(RunStatus.sql("""
                select id, status, finished_at, error from runs
                where pipeline = ? and status not in ({PENDING}, {RUNNING}, {SKIPPED}) and params ->> 'step' is null
                order by id desc limit 1"""), RunRepository::endedRun, pipeline);
    }

    private static EndedRun endedRun(ResultSet row) throws SQLException {
        return new EndedRun(row.getLong("id"), Columns.status(row, "status"), Columns.instant(row, "finished_at"),
                row.getString("error"));
    }

    /** How many triggers were recorded skipped because of this run. */
    public int skipsAgainst(long runId) {
        return sql.queryId("select count(*) from runs where blocked_by = ?", runId).orElse(0L).intValue();
    }

    // ---- runs as the runs API lists them

    /** Runs newest first, of this status and pipeline and created since then where given. */
    public List<RunRow> list(RunFilter filter, long limit, long offset) {
        StringBuilder query = new StringBuilder("select " + RUN_COLUMNS + " from runs where true");
        List<Object> args = new ArrayList<>();
        if (filter.status() != null) {
            query.append(" and status = ?");
            args.add(filter.status().word());
        }
        if (filter.pipeline() != null) {
            query.append(" and pipeline = ?");
            args.add(filter.pipeline());
        }
        if (filter.search() != null) {
            // a part of the name, its wildcards taken as they are
            query.append(" and strpos(lower(pipeline), lower(?)) > 0");
            args.add(filter.search());
        }
        if (filter.trigger() != null) {
            query.append(" and trigger = ?");
            args.add(filter.trigger());
        }
        if (filter.since() != null) {
            query.append(" and created_at >= ?");
            args.add(OffsetDateTime.ofInstant(filter.since(), ZoneOffset.UTC));
        }
        if (filter.until() != null) {
            query.append(" and created_at < ?");
            args.add(OffsetDateTime.ofInstant(filter.until(), ZoneOffset.UTC));
        }
        query.append(" order by id desc limit ? offset ?");
        args.add(limit);
        args.add(offset);
        return sql.query(query.toString(), RunRepository::runRow, args.toArray());
    }

    /**
     * What each of these runs wrote, for charts of a pipeline's runs: the rows of its primary files (an export's or a
     * crawl's CSV), else its steps' records, unless its kind is one of {@code stepsCountOtherThings} (an export's steps
     * count pages, a crawl's nodes); a run with neither is left out, as is an export or crawl without its CSV.
     */
    public Map<Long, Long> records(List<Long> runIds, Collection<String> stepsCountOtherThings) {
        Map<Long, Long> records = new HashMap<>();
        sql.query("""
                select r.id, coalesce((select sum(o.rows) from run_outputs o where o.run_id = r.id and o."primary"),
                                      case when split_part(x.pipeline, ':', 1) <> all(?::text[])
                                           then (select sum(s.records) from run_steps s where s.run_id = r.id) end) as records
                from unnest(?::bigint[]) as r(id) join runs x on x.id = r.id""", row -> new long[] {row.getLong("id"), row.getLong("records"), row.wasNull() ? 1 : 0},
                stepsCountOtherThings.toArray(String[]::new), runIds.toArray(Long[]::new)).forEach(row -> {
                    if (row[2] == 0) {
                        records.put(row[0], row[1]);
                    }
                });
        return records;
    }

    /** The live runs, newest first. */
    public List<RunRow> live() {
        return sql.query(RunStatus.sql("select " + RUN_COLUMNS + " from runs where status in {LIVE} order by id desc"),
                RunRepository::runRow);
    }

    /** A run with its whole row. */
    public Optional<RunDetails> details(long runId) {
        return sql.queryOne("select " + RUN_COLUMNS + ", params, takeovers, resumed_from, blocked_by, heartbeat_at"
                + " from runs where id = ?", r -> new RunDetails(runRow(r), Columns.json(r, "params"), r.getString("owner"),
                r.getInt("takeovers"), Columns.nullableLong(r, "resumed_from"), Columns.nullableLong(r, "blocked_by"),
                Columns.instant(r, "heartbeat_at")), runId);
    }

    public boolean exists(long runId) {
        return sql.queryId("select id from runs where id = ?", runId).isPresent();
    }

    /** Each of these pipelines' newest run, by pipeline; one index lookup per pipeline (runs_pipeline_id_idx). */
    public Map<String, RunRow> newest(List<String> pipelines) {
        Map<String, RunRow> newest = new LinkedHashMap<>();
        sql.query("select r.* from unnest(?::text[]) as p(name)"
                + " join lateral (select " + RUN_COLUMNS + " from runs where pipeline = p.name order by id desc limit 1) r on true",
                RunRepository::runRow, (Object) pipelines.toArray(String[]::new)).forEach(run -> newest.put(run.pipeline(), run));
        return newest;
    }

    private static RunRow runRow(ResultSet row) throws SQLException {
        return new RunRow(row.getLong("id"), row.getString("pipeline"), Columns.status(row, "status"), row.getString("trigger"),
                row.getInt("progress"), row.getString("current_step"), row.getString("error"), Columns.instant(row, "created_at"),
                Columns.instant(row, "started_at"), Columns.instant(row, "finished_at"), row.getString("owner"));
    }

    /** The map as JSON, its text values masked at any depth (a URL in params may carry a key, one a start gave too). */
    static String json(Map<String, ?> value) {
        try {
            return JSON.writeValueAsString(value == null ? Map.of() : masked(value));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not representable as JSON: " + value, e);
        }
    }

    private static Object masked(Object value) {
        if (value instanceof String text) {
            return Secrets.mask(text);
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> masked = new LinkedHashMap<>();
            map.forEach((k, v) -> masked.put(k, masked(v)));
            return masked;
        }
        if (value instanceof Collection<?> values) {
            return values.stream().map(RunRepository::masked).toList();
        }
        return value;
    }
}
