package io.harvester.paging;

import java.time.Instant;
import java.util.Optional;

import io.harvester.runs.RunSql;

/**
 * The watermarks of incremental exports (table {@code export_watermarks}). A run reads its pipeline's watermark when it begins and advances it when it has completed, only if
 * the row is still as it read it: a reset made while the run worked is not overwritten.
 */
public final class ExportWatermarks {

    /** A kept watermark: its value (null once forgotten), the version a run read, who set it (the run, or a reset) and when. */
    record Kept(String value, long version, Long runId, String setBy, Instant updatedAt) {
    }

    private final RunSql sql;

    public ExportWatermarks(RunSql sql) {
        this.sql = sql;
    }

    Optional<Kept> kept(String pipeline) {
        return sql.queryOne("select value, version, run_id, set_by, updated_at from export_watermarks where pipeline = ?",
                row -> new Kept(row.getString(1), row.getLong(2), (Long) row.getObject(3), row.getString(4),
                        row.getTimestamp(5).toInstant()), pipeline);
    }

    /**
     * Moves the watermark to {@code value} for completed run {@code runId}, if it is still at {@code readVersion}
     * (0: there was no row); false when another write came in between.
     */
    boolean advance(String pipeline, String value, long runId, long readVersion) {
        if (readVersion == 0) {
            return sql.update("insert into export_watermarks (pipeline, value, run_id, set_by) values (?, ?, ?, 'run')"
                    + " on conflict (pipeline) do nothing", pipeline, value, runId) == 1;
        }
        return sql.update("update export_watermarks set value = ?, version = version + 1, run_id = ?, set_by = 'run',"
                + " updated_at = now() where pipeline = ? and version = ?", value, runId, pipeline, readVersion) == 1;
    }

    /**
     * Sets the watermark to {@code value} by hand ({@code by}: api, jmx); null forgets it. The row stays, its version
     * moving on: a run that read an earlier version never overwrites a reset.
     */
    void reset(String pipeline, String value, String by) {
        sql.update("insert into export_watermarks (pipeline, value, run_id, set_by) values (?, ?, null, ?)"
                + " on conflict (pipeline) do update set value = excluded.value, version = export_watermarks.version + 1,"
                + " run_id = null, set_by = excluded.set_by, updated_at = now()", pipeline, value, by);
    }
}
