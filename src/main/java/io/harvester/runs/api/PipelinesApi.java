package io.harvester.runs.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.harvester.runs.RunSql;
import io.harvester.trigger.TriggerEndpoint;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.resilience4j.ResilienceProcessor;

/**
 * Bean {@code pipelinesApi} (GET /api/pipelines): every pipeline this instance declares, i.e. every route
 * from {@code trigger:<pipeline>} (exports, crawls, jobs, dispatch, retention), with its kind (the name's
 * prefix), cron and next tick from the shared Quartz store, its route's Camel status, its circuit breaker's
 * state (exports and crawls: the {@code breaker-*} node of their template) and its newest run.
 */
public final class PipelinesApi {

    private final RunSql sql;

    PipelinesApi(RunSql sql) {
        this.sql = sql;
    }

    public Map<String, Object> list(Exchange exchange) {
        CamelContext context = exchange.getContext();
        List<Map<String, Object>> pipelines = new ArrayList<>();
        for (Route route : context.getRoutes()) {
            if (!(route.getEndpoint() instanceof TriggerEndpoint trigger)) {
                continue;
            }
            String name = trigger.getPipeline();
            Map<String, Object> pipeline = new LinkedHashMap<>();
            pipeline.put("name", name);
            pipeline.put("kind", name.substring(0, Math.max(0, name.indexOf(':'))));
            pipeline.put("route", route.getRouteId());
            ServiceStatus status = context.getRouteController().getRouteStatus(route.getRouteId());
            pipeline.put("routeStatus", status == null ? null : status.name());
            pipeline.put("cron", trigger.getCron() == null || trigger.getCron().isBlank() ? null : trigger.getCron().trim());
            Instant next = trigger.nextFireTime();
            pipeline.put("nextFireTime", next == null ? null : next.toString());
            pipeline.put("breaker", breakerState(route));
            pipelines.add(pipeline);
        }
        pipelines.sort(Comparator.comparing(p -> (String) p.get("name")));
        addLastRuns(pipelines);
        return Map.of("pipelines", pipelines);
    }

    /** The state of the route's circuit breaker (CLOSED, OPEN, HALF_OPEN, FORCED_OPEN, ...); null when it has none. */
    private static String breakerState(Route route) {
        for (Processor processor : route.filter(".*breaker-.*")) {
            if (processor instanceof ResilienceProcessor breaker) {
                return breaker.getCircuitBreakerState();
            }
        }
        return null;
    }

    /** Each pipeline's newest run, one index lookup per pipeline (runs_pipeline_id_idx). */
    private void addLastRuns(List<Map<String, Object>> pipelines) {
        String[] names = pipelines.stream().map(p -> (String) p.get("name")).toArray(String[]::new);
        Map<String, Map<String, Object>> last = new LinkedHashMap<>();
        for (Object[] row : sql.queryRows("""
                select p.name, r.id, r.status, r.trigger, r.created_at, r.finished_at, r.error
                from unnest(?::text[]) as p(name)
                join lateral (select * from runs where pipeline = p.name order by id desc limit 1) r on true""",
                (Object) names)) {
            last.put((String) row[0], JsonRow.of(Arrays.copyOfRange(row, 1, row.length), "id", "status", "trigger",
                    "createdAt", "finishedAt", "error"));
        }
        pipelines.forEach(p -> p.put("lastRun", last.get((String) p.get("name"))));
    }
}
