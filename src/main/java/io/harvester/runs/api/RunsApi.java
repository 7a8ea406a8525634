package io.harvester.runs.api;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.harvester.api.ApiError;
import io.harvester.api.ApiRequest;
import io.harvester.pipeline.PipelineKind;
import io.harvester.pipeline.PipelineKinds;
import io.harvester.runs.LogRow;
import io.harvester.runs.RunDetails;
import io.harvester.runs.RunFilter;
import io.harvester.runs.RunRepository;
import io.harvester.runs.RunRetention;
import io.harvester.runs.RunRow;
import io.harvester.runs.RunStatus;
import io.harvester.runs.StepRow;
import io.harvester.runs.TriggerKind;
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
    private static final List<String> TRIGGERS = Arrays.stream(TriggerKind.values()).map(TriggerKind::value).toList();
    /** Log levels from least to most severe: level=WARN shows WARN and ERROR. */
    private static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");

    private final RunRepository runs;
    private final RunRetention retention;

    RunsApi(RunRepository runs, RunRetention retention) {
        this.runs = runs;
        this.retention = retention;
    }

    /** GET /api/runs?status=&pipeline=&search=&trigger=&since=&until=&limit=&offset= */
    public Map<String, Object> list(Exchange exchange) {
        ApiRequest request = new ApiRequest(exchange);
        String status = request.text("status");
        if (status != null && !STATUSES.contains(status)) {
            throw ApiError.badRequest("status", "status must be one of " + String.join(", ", STATUSES) + ", not '" + status + "'");
        }
        String trigger = request.text("trigger");
        if (trigger != null && !TRIGGERS.contains(trigger)) {
            throw ApiError.badRequest("trigger", "trigger must be one of " + String.join(", ", TRIGGERS) + ", not '" + trigger + "'");
        }
        RunFilter filter = new RunFilter(status == null ? null : RunStatus.of(status), request.text("pipeline"), request.text("search"),
                trigger, request.time("since"), request.time("until"));
        long limit = request.number("limit", 50, 1, MAX_LIMIT);
        long offset = request.number("offset", 0, 0, Long.MAX_VALUE);
        List<RunRow> found = runs.list(filter, limit, offset);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("runs", summaries(exchange, found));
        answer.put("limit", limit);
        answer.put("offset", offset);
        return answer;
    }

    /** GET /api/runs/active: the pending and running runs, newest first. */
    public Map<String, Object> active(Exchange exchange) {
        return Map.of("runs", summaries(exchange, runs.live()));
    }

    /** GET /api/runs/{id}: the run with its steps and outputs. */
    public Map<String, Object> get(Exchange exchange) {
        long id = new ApiRequest(exchange).runId();
        RunDetails details = runs.details(id).orElseThrow(() -> notFound(id));
        Map<String, Object> run = summary(details.run(), records(exchange, List.of(id)).get(id));
        run.putAll(new JsonRow().with("params", details.params()).with("owner", details.owner())
                .with("takeovers", details.takeovers()).with("resumedFrom", details.resumedFrom()).with("blockedBy", details.blockedBy())
                .with("heartbeatAt", details.heartbeatAt()).fields());
        run.put("steps", runs.steps().of(id).stream().map(RunsApi::step).toList());
        run.put("outputs", RunFiles.outputs(runs, id));
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
        requireRun(runs, id);
        List<String> levels = level == null ? LEVELS : LEVELS.subList(LEVELS.indexOf(level.toUpperCase(Locale.ROOT)), LEVELS.size());
        List<LogRow> logs = runs.logs().after(id, after, levels, step, limit);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("logs", logs.stream().map(log -> new JsonRow().with("id", log.id()).with("ts", log.ts())
                .with("level", log.level()).with("step", log.step()).with("message", log.message()).fields()).toList());
        // where the next poll continues: the last row shown, else where this one started
        answer.put("after", logs.isEmpty() ? after : logs.get(logs.size() - 1).id());
        return answer;
    }

    /** 404 unless the run exists. */
    static void requireRun(RunRepository runs, long id) {
        if (!runs.exists(id)) {
            throw notFound(id);
        }
    }

    /** What the runs wrote: their files' rows, or their steps' records where their kind counts writes there. */
    private Map<Long, Long> records(Exchange exchange, List<Long> runIds) {
        List<String> otherThings = PipelineKinds.all(exchange.getContext()).values().stream()
                .filter(kind -> !kind.stepRecordsAreWrites()).map(PipelineKind::name).toList();
        return runs.records(runIds, otherThings);
    }

    static ApiError notFound(long id) {
        return new ApiError(404, "run " + id + " does not exist", null);
    }

    /** Runs as lists show them, each with what it wrote ({@link RunRepository#records}). */
    private List<Map<String, Object>> summaries(Exchange exchange, List<RunRow> found) {
        Map<Long, Long> records = records(exchange, found.stream().map(RunRow::id).toList());
        return found.stream().map(run -> summary(run, records.get(run.id()))).toList();
    }

    private static Map<String, Object> summary(RunRow run, Long records) {
        return new JsonRow().with("id", run.id()).with("pipeline", run.pipeline()).with("status", run.status())
                .with("trigger", run.trigger()).with("progress", run.progress()).with("currentStep", run.currentStep())
                .with("error", run.error()).with("createdAt", run.createdAt()).with("startedAt", run.startedAt())
                .with("finishedAt", run.finishedAt()).with("durationMs", JsonRow.durationMs(run.startedAt(), run.finishedAt()))
                .with("records", records).with("owner", run.owner()).fields();
    }

    private static Map<String, Object> step(StepRow step) {
        return new JsonRow().with("ordinal", step.ordinal()).with("name", step.name()).with("status", step.status())
                .with("attempt", step.attempt()).with("records", step.records()).with("startedAt", step.startedAt())
                .with("finishedAt", step.finishedAt()).with("error", step.error()).with("result", step.result())
                .with("durationMs", JsonRow.durationMs(step.startedAt(), step.finishedAt())).fields();
    }
}
