package io.harvester.runs;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.harvester.infra.InstanceId;

/**
 * The statements on {@code instances} and on the runs' heartbeats (part of {@link RunRepository}): every
 * instance beats for itself and its live runs; the sweep ends the runs that went silent, abandoned with
 * their owner or failed without it, and ends the statements dead instances left running.
 */
public final class Heartbeats {

    /** As the takeover's run_logs row writes the dead instance's last beat. */
    private static final DateTimeFormatter SINCE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private final RunSql sql;
    private final String owner;
    private final RunFence fence;
    private final RunEvents events;

    Heartbeats(RunSql sql, String owner, RunFence fence, RunEvents events) {
        this.sql = sql;
        this.owner = owner;
        this.fence = fence;
        this.events = events;
    }

    /** A run ended by a sweep: its id, pipeline, status, error and owner. */
    private record Swept(long id, String pipeline, RunStatus status, String error, String owner) {
    }

    /** Tells the ends a sweep's statement wrote (this instance's statement: no other wrote them). */
    private List<Swept> told(List<Swept> ended) {
        ended.forEach(run -> events.ended(run.id(), run.pipeline(), run.status(), run.error()));
        return ended;
    }

    /**
     * Runs this instance left live when it died can never finish: they end abandoned, with their running
     * step and a run_logs row, and the statements the dead process left running are cancelled.
     */
    public int abandonRunsOf(String instance) {
        List<Swept> ended = endWithSteps("""
                with ended as (
                    update runs set status = {ABANDONED}, finished_at = now(),
                        current_step = {ABANDONED} || coalesce(' during ' || current_step, ''),
                        error = 'abandoned: the Harvester instance running it stopped before it finished'
                    where owner = ? and status in {LIVE}
                    returning id, pipeline, status, error, owner),""" + LOG_ENDED, instance);
        told(ended);
        if (!ended.isEmpty()) {
            // nothing of this process runs yet: a busy connection of this instance's name is the dead one's
            cancelStatementsOf(List.of(instance));
        }
        return ended.size();
    }

    /** Logs the end of the runs in CTE {@code ended} (id, pipeline, status, error, owner) and returns them. */
    private static final String LOG_ENDED = """

                logged as (
                    insert into run_logs (run_id, level, message) select id, 'ERROR', error from ended)
                select id, pipeline, status, error, owner from ended""";

    /** Ends runs by a statement of CTE {@code ended} and {@link #LOG_ENDED}, then their running steps, in one transaction. */
    private List<Swept> endWithSteps(String statement, Object... args) {
        return sql.transaction("update runs (a sweep)", c -> {
            List<Swept> ended = RunSql.query(c, RunStatus.sql(statement), Heartbeats::swept, args);
            StepRows.closeRunning(c, ended.stream().map(Swept::id).toArray(Long[]::new));
            return ended;
        });
    }

    private static Swept swept(ResultSet row) throws SQLException {
        return new Swept(row.getLong("id"), row.getString("pipeline"), Columns.status(row, "status"), row.getString("error"),
                row.getString("owner"));
    }

    /** Ends the busy connections of the given (dead) instances on this database (application_name). */
    private void cancelStatementsOf(List<String> instances) {
        String[] names = instances.stream().map(InstanceId::applicationName).distinct().toArray(String[]::new);
        // terminated, not only cancelled: an 'idle in transaction' backend of a dead process holds its locks
        sql.queryRows("select pg_terminate_backend(pid) from pg_stat_activity where application_name = any (?)"
                + " and datname = current_database() and state <> 'idle' and pid <> pg_backend_pid()", (Object) names);
    }

    /**
     * A condition, for statements on other tables, that the instance named by {@code column} is alive: it beat
     * within the lease, bound as the next parameter in milliseconds.
     */
    public static String alive(String column) {
        return "exists (select 1 from instances i where i.id = " + column
                + " and i.heartbeat_at > now() - make_interval(secs => ? / 1000.0))";
    }

    /** Marks this instance alive now: its lease runs from here (harvester.cluster.lease). */
    public void beatInstance() {
        sql.update("insert into instances (id, host) values (?, ?) on conflict (id) do update set heartbeat_at = now(),"
                + " host = excluded.host", owner, InstanceId.host());
    }

    /**
     * The runs among those this instance works on whose row names another owner or epoch ({@link RunFence}):
     * another instance took them over while this one was silent. Read on every instance heartbeat, so that a
     * copy whose work writes nothing for a while (a job's long step) stops within a beat of coming back.
     */
    public List<Lost> lostAmong(Collection<Long> liveRuns) {
        if (liveRuns.isEmpty()) {
            return List.of();
        }
        return sql.query("""
                select r.id, r.owner, r.takeovers from runs r join unnest(?::bigint[], ?::int[]) as h(id, epoch) on h.id = r.id
                where h.epoch is not null and (r.owner is distinct from ? or r.takeovers <> h.epoch)""",
                r -> new Lost(r.getLong("id"), RunFence.takenBy(r.getString("owner"), r.getInt("takeovers"))),
                ids(liveRuns), epochs(liveRuns), owner);
    }

    /** The ids in a fixed order (that of {@link #epochs}): a set's iteration order is its own business. */
    private static Long[] ids(Collection<Long> runs) {
        return runs.stream().sorted().toArray(Long[]::new);
    }

    /** The epoch of each of {@link #ids}, null for a run this instance does not hold. */
    private Integer[] epochs(Collection<Long> runs) {
        return runs.stream().sorted().map(id -> (Integer) fence.heldParams(id)[1]).toArray(Integer[]::new);
    }

    /** A live run this instance claimed from a dead one: how many times it has been taken over now. */
    public record TakenOver(long id, String pipeline, String trigger, int takeovers, String from, Instant silentSince) {
    }

    /**
     * Claims the live runs of instances whose lease expired (silent for {@code leaseMillis}) among
     * {@code pipelines} (those this instance runs and whose kind takes runs over): each becomes this instance's,
     * its takeovers counted and a run_logs row saying so, and the statements the dead instances left running
     * terminated. Exactly once across instances: the rows are locked ({@code for update skip locked}) and the
     * claim makes them this live instance's.
     */
    public List<TakenOver> claimRunsOfDeadInstances(long leaseMillis, Collection<String> pipelines) {
        if (pipelines.isEmpty()) {
            return List.of();
        }
        List<String> dead = sql.query(RunStatus.sql("""
                select distinct r.owner from runs r join instances i on i.id = r.owner
                where r.status in {LIVE} and r.owner <> ? and r.pipeline = any (?)
                  and i.heartbeat_at < now() - make_interval(secs => ? / 1000.0)"""), row -> row.getString("owner"),
                owner, pipelines.toArray(String[]::new), leaseMillis);
        if (dead.isEmpty()) {
            return List.of();
        }
        // first: a paused instance's open transaction may hold its run's row (a fenced write's key share lock)
        cancelStatementsOf(dead);
        List<TakenOver> claimed = sql.query(RunStatus.sql("""
                with dead as (
                    select r.id, r.owner as dead_owner, i.heartbeat_at as silent_since
                    from runs r join instances i on i.id = r.owner
                    where r.status in {LIVE} and r.owner <> ? and r.pipeline = any (?)
                      and i.heartbeat_at < now() - make_interval(secs => ? / 1000.0)
                    for update of r skip locked),
                claimed as (
                    update runs r set owner = ?, takeovers = r.takeovers + 1, heartbeat_at = now()
                    from dead d where r.id = d.id
                    returning r.id, r.pipeline, r.trigger, r.takeovers, d.dead_owner, d.silent_since),
                logged as (
                    insert into run_logs (run_id, level, message)
                    select id, 'WARN', 'taken over by instance ' || ? || ': instance ' || dead_owner || ' silent since '
                           || to_char(silent_since at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC'
                    from claimed)
                select * from claimed order by id"""), row -> new TakenOver(row.getLong("id"), row.getString("pipeline"),
                row.getString("trigger"), row.getInt("takeovers"), row.getString("dead_owner"),
                Columns.instant(row, "silent_since")), owner, pipelines.toArray(String[]::new), leaseMillis, owner, owner);
        claimed.forEach(run -> events.takenOver(run.id(), run.pipeline(), "instance " + run.from() + " silent since "
                + SINCE.format(run.silentSince())));
        if (!claimed.isEmpty()) {
            // a killed instance's statement may still run in PostgreSQL: it must not commit beside the run's new copy
            cancelStatementsOf(claimed.stream().map(TakenOver::from).distinct().toList());
        }
        return claimed;
    }

    /** How many instances beat within {@code leaseMillis}: alive. */
    public long alive(long leaseMillis) {
        return sql.queryId("select count(*) from instances where heartbeat_at > now() - make_interval(secs => ? / 1000.0)",
                leaseMillis).orElse(0L);
    }

    /** Every instance that ever beat here, by id, alive when its last beat is younger than {@code leaseMillis}. */
    public List<InstanceRow> instances(long leaseMillis) {
        return sql.query(RunStatus.sql("""
                select i.id, i.host, i.started_at, i.heartbeat_at,
                       i.heartbeat_at > now() - make_interval(secs => ? / 1000.0) as alive,
                       (select count(*) from runs r where r.owner = i.id and r.status in {LIVE}) as live_runs
                from instances i order by i.id"""), row -> new InstanceRow(row.getString("id"), row.getString("host"),
                Columns.instant(row, "started_at"), Columns.instant(row, "heartbeat_at"), row.getBoolean("alive"),
                row.getLong("live_runs")), leaseMillis);
    }

    /** A run this instance works on that another instance has taken over since: why (who has it now). */
    public record Lost(long id, String why) {
    }

    /**
     * What a beat found: the runs this instance must stop as their row says ({@code stops}: ended elsewhere or
     * asked to stop, {@link RunRepository#state} says which) and those it must drop without writing anything,
     * because another instance took them over while this one was silent ({@code lost}).
     */
    public record Beat(List<Long> stops, List<Lost> lost) {
    }

    /**
     * Marks this instance and the runs it works on as alive now; a run's beat is fenced like its other
     * writes ({@link RunFence}): a run whose row names another owner or epoch is not beaten but lost.
     */
    public Beat beat(Collection<Long> liveRuns) {
        beatInstance();
        if (liveRuns.isEmpty()) {
            return new Beat(List.of(), List.of());
        }
        Long[] ids = ids(liveRuns);
        record Unbeaten(long id, String owner, int takeovers, boolean ours) {
        }
        List<Unbeaten> unbeaten = sql.query(RunStatus.sql("""
                with held as (select * from unnest(?::bigint[], ?::int[]) as h(id, epoch)),
                beaten as (
                    update runs r set heartbeat_at = now() from held h
                    where r.id = h.id and r.status in {LIVE} and r.cancel_requested is null
                      and r.owner = ? and r.takeovers = coalesce(h.epoch, r.takeovers)
                    returning r.id)
                select r.id, r.owner, r.takeovers,
                       r.owner is not distinct from ? and r.takeovers = coalesce(h.epoch, r.takeovers) as ours
                from runs r join held h on h.id = r.id where r.id not in (select id from beaten)"""),
                r -> new Unbeaten(r.getLong("id"), r.getString("owner"), r.getInt("takeovers"), r.getBoolean("ours")),
                ids, epochs(liveRuns), owner, owner);
        return new Beat(unbeaten.stream().filter(Unbeaten::ours).map(Unbeaten::id).toList(), unbeaten.stream()
                .filter(u -> !u.ours()).map(u -> new Lost(u.id(), RunFence.takenBy(u.owner(), u.takeovers()))).toList());
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
        List<Swept> ended = endWithSteps("""
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
                    where r.status in {LIVE}
                      and coalesce(r.heartbeat_at, r.started_at, r.created_at)
                          < now() - make_interval(secs => coalesce(t.millis, ?) / 1000.0)),
                ended as (
                    update runs r set status = case when s.owner_alive then {FAILED} else {ABANDONED} end,
                        finished_at = now(),
                        current_step = case when s.owner_alive then {FAILED} else {ABANDONED} end
                            || coalesce(' during ' || r.current_step, ''),
                        error = case when s.owner_alive
                            then 'failed: no heartbeat since ' || to_char(s.last_beat at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS')
                                 || ' UTC from instance ' || coalesce(s.owner, '?') || ', which is alive but no longer works on it'
                            else 'abandoned: instance ' || coalesce(s.owner, '?') || ' silent since '
                                 || to_char(s.owner_last_beat at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC' end
                    from silent s
                    where r.id = s.id and r.status in {LIVE}
                      -- again on the row as it is now: a beat that committed meanwhile keeps the run
                      and coalesce(r.heartbeat_at, r.started_at, r.created_at) < now() - make_interval(secs => s.threshold / 1000.0)
                    returning r.id, r.pipeline, r.status, r.error, s.owner),""" + LOG_ENDED,
                defaultMillis, defaultMillis, defaultMillis, pipelines, millis, defaultMillis);
        told(ended);
        List<String> silent = ended.stream().filter(r -> r.status() == RunStatus.ABANDONED && r.owner() != null)
                .map(Swept::owner).distinct().toList();
        // a killed process's statement runs on in PostgreSQL until it ends: it must not commit a dead run's work.
        // Its run may have been ended sweeps ago (a job's stuck-after is shorter than stale-after): every sweep
        // looks at each instance silent for stale-after (within the last day), not only at this sweep's owners.
        Set<String> gone = new LinkedHashSet<>(silentFor(silent, defaultMillis));
        gone.addAll(sql.query("select id from instances where id <> ? and heartbeat_at < now() - make_interval(secs => ? / 1000.0)"
                + " and heartbeat_at > now() - interval '1 day'", r -> r.getString("id"), owner, defaultMillis));
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
        return sql.query("""
                select o.id from unnest(?::text[]) as o(id) left join instances i on i.id = o.id
                where coalesce(i.heartbeat_at < now() - make_interval(secs => ? / 1000.0), true)""",
                r -> r.getString("id"), instances.toArray(String[]::new), millis);
    }

    /** Whether the run's owner gave no instance heartbeat for {@code staleMillis} (or is unknown). */
    public boolean ownerGone(long runId, long staleMillis) {
        return sql.queryOne("""
                select coalesce(i.heartbeat_at < now() - make_interval(secs => ? / 1000.0), true) as gone
                from runs r left join instances i on i.id = r.owner where r.id = ?""",
                r -> r.getBoolean("gone"), staleMillis, runId).orElse(true);
    }
}
