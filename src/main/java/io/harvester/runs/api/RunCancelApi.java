package io.harvester.runs.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.harvester.api.ApiError;
import io.harvester.runs.RunLifecycle;
import io.harvester.runs.RunRepository;
import io.harvester.runs.RunStatus;
import org.apache.camel.Exchange;

/**
 * {@code POST /api/runs/{id}/cancel} (bean {@code runCancelApi}): cancels a live run cooperatively, as
 * the job failure policy does ({@link RunLifecycle#cancel}). Run here, it has ended {@code cancelled}
 * when the answer comes (200); run by another instance, that owner ends it on its next heartbeat (202).
 */
public class RunCancelApi {

    static final String REASON = "cancelled over the API";

    private final RunLifecycle lifecycle;

    public RunCancelApi(RunLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    public void cancel(Exchange exchange) {
        String given = exchange.getMessage().getHeader("id", String.class);
        long id = parse(given);
        RunStatus status = status(id).orElseThrow(() -> new ApiError(404, "no run " + given, null));
        if (!status.isLive()) {
            throw ended(id, status.word());
        }
        RunLifecycle.Cancel outcome = lifecycle.cancel(id, REASON);
        if (outcome == RunLifecycle.Cancel.NOT_LIVE) {
            throw ended(id, status(id).map(RunStatus::word).orElse("deleted"));
        }
        boolean here = outcome == RunLifecycle.Cancel.ENDED_HERE;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("status", here ? RunStatus.CANCELLED.word() : "cancelling");
        exchange.getMessage().setBody(body);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, here ? 200 : 202);
    }

    private static long parse(String given) {
        try {
            return Long.parseLong(given);
        } catch (NumberFormatException e) {
            throw new ApiError(404, "no run " + given, null);
        }
    }

    private Optional<RunStatus> status(long id) {
        return lifecycle.store().state(id).map(RunRepository.RunState::status);
    }

    private static ApiError ended(long id, String status) {
        return new ApiError(409, "run " + id + " already ended: " + status, null);
    }
}
