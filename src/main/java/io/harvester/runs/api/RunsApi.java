package io.harvester.runs.api;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.harvester.api.ApiError;
import io.harvester.api.ApiRequest;
import io.harvester.runs.RunRetention;
import io.harvester.runs.RunSql;
import io.harvester.runs.RunStatus;
import org.apache.camel.Exchange;

/**
 * Bean {@code runsApi} (routes/harvester-api-read.camel.yaml): the runs as GET /api/runs, /api/runs/active
 * and /api/runs/{id} show them, their logs for tailing, and DELETE /api/runs/{id}. Lists are newest first
 * by id (ids come from one sequence), which the indexes of V9__runs_api.sql serve per filter.
 */
public final class RunsApi {

    static final int MAX_LIMIT = 500;
    static final int MAX_LOG_LIMIT = 1000;
    private static final List<String> STATUSES = Arrays.stream(RunStatus.values()).map(RunStatus::word).toList();
    /** Log levels from least to most severe: level=WARN shows WARN and ERROR. */
    private static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
    private static final String RUN_COLUMNS = "id, pipeline, status, trigger, progress, current_step, error, created_at,"
            + " started_at, finished_at";

    private final RunSql sql;
    private final RunRetention retention;

    RunsApi(RunSql sql, RunRetention retention) {
        this.sql = sql;
        this.retention = retention;
    }

    /** GET /api/runs?status=&pipeline=&since=&limit=&offset= */
    public Map<String, Object> list(Exchange exchange) {
        ApiRequest request = new ApiRequest(exchange);
        String status = request.text("status");
        if (status != null && !STATUSES.contains(status)) {
            throw ApiError.badRequest("status", "status must be one of " + String.join(", ", STATUSES) + ", not '" + status + "'");
        }
        String pipeline = request.text("pipeline");
        Instant since = request.time("since");
        long limit = request.number("limit", 50, 1, MAX_LIMIT);
        long offset = request.number("offset", 0, 0, Long.MAX_VALUE);
        StringBuilder query = new StringBuilder("select " + RUN_COLUMNS + " from runs where true");
        List<Object> args = new ArrayList<>();
        if (status != null) {
            query.append(" and status = ?");
            args.add(status);
        }
        if (pipeline != null) {
            query.append(" and pipeline = ?");
            args.add(pipeline);
        }
        if (since != null) {
            query.append(" and created_at >= ?");
            args.add(OffsetDateTime.ofInstant(since, ZoneOffset.UTC));
        }
        query.append(" order by id desc limit ? offset ?");
        args.add(limit);
        args.add(offset);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("runs", sql.queryRows(query.toString(), args.toArray()).stream().map(RunsApi::summary).toList());
        answer.put("limit", limit);
        answer.put("offset", offset);
        return answer;
    }

    /** GET /api/runs/active: the pending and running runs, newest first. */
    public Map<String, Object> active(Exchange exchange) {
        return Map.of("runs", sql.queryRows("select " + RUN_COLUMNS + " from runs where status in ('pending', 'running')"
                + " order by id desc").stream().map(RunsApi::summary).toList());
    }

    /** GET /api/runs/{id}: the run with its steps and outputs. */
    public Map<String, Object> get(Exchange exchange) {
        long id = new ApiRequest(exchange).runId();
        Object[] row = sql.queryRow("select " + RUN_COLUMNS + ", params, owner, resumed_from, blocked_by, heartbeat_at"
                + " from runs where id = ?", id).orElseThrow(() -> notFound(id));
        Map<String, Object> run = summary(row);
        run.putAll(JsonRow.of(Arrays.copyOfRange(row, 10, 15), "params", "owner", "resumedFrom", "blockedBy",
                "heartbeatAt"));
        run.put("steps", sql.queryRows("select ordinal, name, status, attempt, records, started_at, finished_at, error,"
                + " result from run_steps where run_id = ? order by ordinal", id).stream().map(r -> {
                    Map<String, Object> step = JsonRow.of(r, "ordinal", "name", "status", "attempt", "records", "startedAt",
                            "finishedAt", "error", "result");
                    step.put("durationMs", JsonRow.durationMs(r[5], r[6]));
                    return step;
                }).toList());
        run.put("outputs", RunFiles.outputs(sql, id));
        return run;
    }

    /** DELETE /api/runs/{id}: a finished run with its rows and files (only those inside its output folder). */
    public Map<String, Object> delete(Exchange exchange) {
        long id = new ApiRequest(exchange).runId();
        RunRetention.Deletion deletion = retention.delete(id);
        if (deletion.run().status() == null) {
            throw notFound(id);
        }
        if (deletion.run().status().isLive()) {
            throw new ApiError(409, "run " + id + " is " + deletion.run().status() + ": only a finished run can be deleted", "id");
        }
        if (deletion.run().continuedBy() != null) {
            throw new ApiError(409, "run " + id + " is continued by live run " + deletion.run().continuedBy()
                    + ": it can be deleted once that run has finished", "id");
        }
        if (!deletion.run().deleted()) {
            throw new ApiError(500, deletion.failure() == null ? "run " + id + " was not deleted" : deletion.failure(), null);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("deleted", id);
        answer.putAll(deletion.files());
        answer.remove("runs");
        return answer;
    }

    /** GET /api/runs/{id}/logs?level=&step=&limit=&after=: log rows after the id last seen, oldest first. */
    public Map<String, Object> logs(Exchange exchange) {
        ApiRequest request = new ApiRequest(exchange);
        long id = request.runId();
        String level = request.text("level");
        if (level != null && !LEVELS.contains(level.toUpperCase(Locale.ROOT))) {
            throw ApiError.badRequest("level", "level must be one of " + String.join(", ", LEVELS) + ", not '" + level + "'");
        }
        String step = request.text("step");
        long limit = request.number("limit", 100, 1, MAX_LOG_LIMIT);
        long after = request.number("after", 0, 0, Long.MAX_VALUE);
        requireRun(sql, id);
        String[] levels = level == null ? LEVELS.toArray(String[]::new)
                : LEVELS.subList(LEVELS.indexOf(level.toUpperCase(Locale.ROOT)), LEVELS.size()).toArray(String[]::new);
        List<Map<String, Object>> logs = sql.queryRows("select id, ts, level, step, message from run_logs"
                        + " where run_id = ? and id > ? and level = any (?) and (?::text is null or step = ?)"
                        + " order by id limit ?", id, after, levels, step, step, limit).stream()
                .map(r -> JsonRow.of(r, "id", "ts", "level", "step", "message")).toList();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("logs", logs);
        // where the next poll continues: the last row shown, else where this one started
        answer.put("after", logs.isEmpty() ? after : logs.get(logs.size() - 1).get("id"));
        return answer;
    }

    /** 404 unless the run exists. */
    static void requireRun(RunSql sql, long id) {
        if (sql.queryId("select id from runs where id = ?", id).isEmpty()) {
            throw notFound(id);
        }
    }

    static ApiError notFound(long id) {
        return new ApiError(404, "run " + id + " does not exist", null);
    }

    private static Map<String, Object> summary(Object[] row) {
        Map<String, Object> run = JsonRow.of(row, "id", "pipeline", "status", "trigger", "progress", "currentStep", "error",
                "createdAt", "startedAt", "finishedAt");
        run.put("durationMs", JsonRow.durationMs(row[8], row[9]));
        return run;
    }
}
