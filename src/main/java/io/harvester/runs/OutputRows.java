package io.harvester.runs;

import java.util.List;
import java.util.Optional;

/**
 * The statements on {@code run_outputs} (part of {@link RunRepository}): the files runs publish, their log
 * files as the run log writer grows them, and both read back for the runs API.
 */
public final class OutputRows {

    /** Where a run's file lies: the run's output folder and the path {@code run_outputs} names in it. */
    public record Place(String outputDir, String path) {
    }

    private final RunSql sql;
    private final RunFence fence;

    OutputRows(RunSql sql, RunFence fence) {
        this.sql = sql;
        this.fence = fence;
    }

    /** Registers a file a run published ({@code primary}) or another file of it. */
    public void write(long runId, String path, long bytes, long rows, String sha256, boolean primary) {
        fence.write(runId, "insert into run_outputs (run_id, path, bytes, rows, sha256, \"primary\") select ?, ?, ?, ?, ?, ?"
                + " where " + RunFence.HOLDS, runId, path, bytes, rows, sha256, primary);
    }

    /** Registers a run's log file, or its size and checksum now that it grew. */
    public void writeLogFile(long runId, String path, long bytes, long lines, String sha256) {
        if (fence.isLost(runId)) {
            // the run's file is the instance's that took it over
            return;
        }
        sql.update("""
                insert into run_outputs (run_id, path, bytes, rows, sha256, "primary") values (?, ?, ?, ?, ?, false)
                on conflict (run_id, path) do update set bytes = excluded.bytes, rows = excluded.rows,
                    sha256 = excluded.sha256""", runId, path, bytes, lines, sha256);
    }

    /** Removes the row of a run's published file that was withdrawn (its log file stays). */
    public void withdrawPublished(long runId) {
        fence.write(runId, "delete from run_outputs where run_id = ? and \"primary\" and " + RunFence.HOLDS, runId);
    }

    /** A run's files, by path. */
    public List<OutputRow> of(long runId) {
        return sql.query("select id, path, bytes, rows, sha256, \"primary\" from run_outputs where run_id = ? order by path",
                row -> new OutputRow(row.getLong("id"), row.getString("path"), row.getLong("bytes"), row.getLong("rows"),
                        row.getString("sha256"), row.getBoolean("primary")), runId);
    }

    /** Where the file of this id lies, when it is one of this run's. */
    public Optional<Place> place(long runId, long fileId) {
        return sql.queryOne("select r.output_dir, o.path from run_outputs o join runs r on r.id = o.run_id"
                + " where o.run_id = ? and o.id = ?", row -> new Place(row.getString("output_dir"), row.getString("path")),
                runId, fileId);
    }
}
