package io.harvester.runs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * The statements that delete runs (part of {@link RunRepository}): retention's batches and one finished run
 * on request. Each is one short transaction that locks the runs, lets the caller remove their files, and
 * deletes the rows of those whose files went; steps, logs, outputs and crawl checkpoints cascade.
 */
public final class RunDeletions {

    private final RunSql sql;

    RunDeletions(RunSql sql) {
        this.sql = sql;
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
     * Kept too: the newest ended whole run of a pipeline of one of {@code decidingKinds} (kinds whose policy
     * reads it, as a job's does to skip or resume), and the skipped runs that count against it.
     */
    public RetentionBatch deleteExpired(int retentionDays, long afterId, int limit, Collection<String> decidingKinds,
                                        Function<List<ExpiredRun>, Collection<Long>> removeFiles) {
        String expired = RunStatus.sql(RUN_FILES + """
                from runs r
                where r.id > ? and r.status not in {LIVE}
                  and coalesce(r.finished_at, r.created_at) < now() - make_interval(days => ?)
                  and not exists (select 1 from runs l where l.resumed_from = r.id and l.status in {LIVE})
                  -- the newest ended run of a kind whose policy reads it (a job's: skip, resume) decides the
                  -- next trigger, and its skips count
                  and not (r.pipeline like any (?) and r.status <> {SKIPPED} and r.params ->> 'step' is null
                           and not exists (select 1 from runs n where n.pipeline = r.pipeline and n.id > r.id
                                and n.status not in ({PENDING}, {RUNNING}, {SKIPPED}) and n.params ->> 'step' is null))
                  and not (r.status = {SKIPPED} and r.blocked_by is not null
                           and not exists (select 1 from runs n where n.pipeline = r.pipeline and n.id > r.blocked_by
                                and n.status not in ({PENDING}, {RUNNING}, {SKIPPED}) and n.params ->> 'step' is null))
                  and not (r.status in ({ABANDONED}, {INTERRUPTED}, {PARTIAL})
                           and exists (select 1 from crawl_nodes n where n.run_id = r.id)
                           and not exists (select 1 from runs later where later.pipeline = r.pipeline and later.id > r.id
                                and (later.status in ({COMPLETED}, {PARTIAL}, {FAILED})
                                     or (later.status in ({ABANDONED}, {INTERRUPTED}) and r.status <> {PARTIAL}))))
                order by r.id
                limit ?
                for update of r skip locked""");
        return sql.transaction("delete expired runs", c -> {
            List<ExpiredRun> runs;
            try (PreparedStatement ps = RunSql.prepare(c, expired, afterId, retentionDays,
                    decidingKinds.stream().map(kind -> kind + ":%").toArray(String[]::new), limit); ResultSet rs = ps.executeQuery()) {
                runs = RunSql.mapAll(rs, RunDeletions::runFiles);
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
        String run = RunStatus.sql(RUN_FILES + """
                     , r.status,
                       (select l.id from runs l where l.resumed_from = r.id and l.status in {LIVE} limit 1)
                from runs r where r.id = ?
                for update of r""");
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
                continuedBy = rs.getObject(6, Long.class);
            }
            if (status.isLive() || continuedBy != null) {
                return new Deletion(status, continuedBy, false);
            }
            Long[] gone = removeFiles.apply(List.of(found)).toArray(Long[]::new);
            return new Deletion(status, null, deleteRows(c, gone) == 1);
        });
    }
}
