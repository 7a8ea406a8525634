package io.harvester.runs;

import java.util.List;

import io.harvester.secrets.Secrets;

/**
 * The statements on {@code run_logs} (part of {@link RunRepository}): the rows the run model writes itself
 * (an outcome's error, a warning; masked by {@link Secrets}), the batches the run log writer takes from
 * the runs' loggers, and a run's rows read back for tailing.
 */
public final class LogRows {

    /** A log line a run's logger wrote, for a batch ({@code millis}: its time; {@code logger}: who wrote it). */
    public record Line(long runId, String step, String level, String message, long millis, String logger) {
    }

    private final RunSql sql;
    private final RunFence fence;

    LogRows(RunSql sql, RunFence fence) {
        this.sql = sql;
        this.fence = fence;
    }

    /** A row of the run model's own; none for a run whose copy here was fenced (the run is another instance's). */
    public void write(long runId, String step, String level, String message) {
        if (fence.isLost(runId)) {
            return;
        }
        sql.update("insert into run_logs (run_id, step, level, message) values (?, ?, ?, ?)", runId, step, level,
                Secrets.mask(message));
    }

    /**
     * One statement for a batch of logged lines, in order. A line that repeats a row the run model wrote itself
     * ({@code extra} is null there) is left out: the row is there already. Lines of a run deleted meanwhile
     * are left out too, and those of a run this instance works on that is no longer its own ({@link RunFence}).
     */
    public void writeLines(List<Line> lines) {
        List<Object[]> held = lines.stream().map(line -> fence.heldParams(line.runId())).toList();
        sql.update("""
                insert into run_logs (run_id, step, level, message, ts, extra)
                select u.run_id, u.step, u.level, u.message, to_timestamp(u.millis / 1000.0), jsonb_build_object('logger', u.logger)
                from unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::int[])
                     with ordinality as u(run_id, step, level, message, millis, logger, owner, epoch, n)
                where exists (select 1 from runs r where r.id = u.run_id and r.owner is not distinct from coalesce(u.owner, r.owner)
                              and r.takeovers = coalesce(u.epoch, r.takeovers))
                  and not exists (select 1 from run_logs l where l.run_id = u.run_id and l.extra is null
                                  and l.level = u.level and l.message = u.message)
                order by u.n""",
                lines.stream().map(Line::runId).toArray(Long[]::new),
                lines.stream().map(Line::step).toArray(String[]::new),
                lines.stream().map(Line::level).toArray(String[]::new),
                lines.stream().map(Line::message).toArray(String[]::new),
                lines.stream().map(Line::millis).toArray(Long[]::new),
                lines.stream().map(Line::logger).toArray(String[]::new),
                held.stream().map(h -> (String) h[0]).toArray(String[]::new),
                held.stream().map(h -> (Integer) h[1]).toArray(Integer[]::new));
    }

    /**
     * A run's rows after the id {@code afterId}, oldest first, at most {@code limit}: those of these levels,
     * and of this step when one is given.
     */
    public List<LogRow> after(long runId, long afterId, List<String> levels, String step, long limit) {
        return sql.query("select id, ts, level, step, message from run_logs"
                        + " where run_id = ? and id > ? and level = any (?) and (?::text is null or step = ?)"
                        + " order by id limit ?",
                row -> new LogRow(row.getLong("id"), Columns.instant(row, "ts"), row.getString("level"), row.getString("step"),
                        row.getString("message")),
                runId, afterId, levels.toArray(String[]::new), step, step, limit);
    }
}
