package io.harvester.runs.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.harvester.api.ApiError;
import io.harvester.trigger.TriggerComponent;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;

/**
 * Bean {@code pipelineControlApi} (routes/harvester-run-control.camel.yaml): POST /api/pipelines/{name}/pause
 * and /resume suspend and resume the pipeline's route, as JMX's suspend does. A paused pipeline starts no
 * run, on its schedule or on demand; a run in flight ends first (Camel waits for it as on shutdown), so the
 * answer is 200 once the route is suspended and 202 while it still waits for that run.
 */
public final class PipelineControlApi {

    /** How long an answer waits for the route's suspend or resume before it says it is under way. */
    static final long ANSWER_WAIT_MS = 2000;

    public Map<String, Object> pause(Exchange exchange) throws Exception {
        return change(exchange, true);
    }

    public Map<String, Object> resume(Exchange exchange) throws Exception {
        return change(exchange, false);
    }

    private Map<String, Object> change(Exchange exchange, boolean pause) throws Exception {
        CamelContext context = exchange.getContext();
        String name = exchange.getMessage().getHeader("name", String.class);
        String routeId = routeOf(context, name);
        CompletableFuture<Void> change = CompletableFuture.runAsync(() -> {
            try {
                if (pause) {
                    context.getRouteController().suspendRoute(routeId);
                } else {
                    context.getRouteController().resumeRoute(routeId);
                }
            } catch (Exception e) {
                throw new IllegalStateException("pipeline " + name + " could not be " + (pause ? "paused" : "resumed") + ": " + e.getMessage(), e);
            }
        });
        boolean done;
        try {
            change.get(ANSWER_WAIT_MS, TimeUnit.MILLISECONDS);
            done = true;
        } catch (TimeoutException e) {
            done = false;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException failure ? failure : e;
        }
        ServiceStatus status = context.getRouteController().getRouteStatus(routeId);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("name", name);
        answer.put("routeStatus", status == null ? null : status.name());
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, done ? 200 : 202);
        return answer;
    }

    /** The route of pipeline {@code name}: the one from {@code trigger:<name>}; 404 for a name no route has. */
    private static String routeOf(CamelContext context, String name) {
        return TriggerComponent.route(context, name).map(Route::getRouteId)
                .orElseThrow(() -> new ApiError(404, "there is no pipeline " + name + " (GET /api/pipelines lists them)", "name"));
    }
}
