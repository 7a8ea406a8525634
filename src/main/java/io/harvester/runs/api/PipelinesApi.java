package io.harvester.runs.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.harvester.pipeline.PipelineKind;
import io.harvester.pipeline.PipelineKinds;
import io.harvester.runs.RunRepository;
import io.harvester.runs.RunRow;
import io.harvester.trigger.TriggerComponent;
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
 * state (exports and crawls: the {@code breaker-*} node of their template), the steps a run may run alone
 * and where a run after an incomplete one starts (a job's) and its newest run.
 */
public final class PipelinesApi {

    private final RunRepository runs;

    PipelinesApi(RunRepository runs) {
        this.runs = runs;
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
            pipeline.put("paused", TriggerComponent.of(context).paused(name));
            pipeline.put("cron", trigger.getCron() == null || trigger.getCron().isBlank() ? null : trigger.getCron().trim());
            Instant next = trigger.nextFireTime();
            pipeline.put("nextFireTime", next == null ? null : next.toString());
            pipeline.put("breaker", breakerState(route));
            PipelineKind kind = PipelineKinds.of(context, name);
            pipeline.put("steps", kind.steps(name));
            pipeline.put("restartFrom", kind.restartFrom(name));
            pipeline.put("params", kind.startParams(name));
            // an incremental export's; absent for a pipeline that reads everything each run
            kind.watermark(name).ifPresent(watermark -> pipeline.put("watermark", PipelineControlApi.json(watermark)));
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

    /** Each pipeline's newest run. */
    private void addLastRuns(List<Map<String, Object>> pipelines) {
        Map<String, RunRow> last = runs.newest(pipelines.stream().map(p -> (String) p.get("name")).toList());
        pipelines.forEach(p -> p.put("lastRun", lastRun(last.get((String) p.get("name")))));
    }

    private static Map<String, Object> lastRun(RunRow run) {
        return run == null ? null : new JsonRow().with("id", run.id()).with("status", run.status()).with("trigger", run.trigger())
                .with("createdAt", run.createdAt()).with("finishedAt", run.finishedAt()).with("error", run.error()).fields();
    }
}
