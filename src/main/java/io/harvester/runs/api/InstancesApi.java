package io.harvester.runs.api;

import java.util.List;
import java.util.Map;

import io.harvester.runs.RunRepository;
import org.apache.camel.Exchange;

/**
 * Bean {@code instancesApi} (GET /api/instances): every Harvester instance that beat on this database, with
 * its host, start, last beat, whether its lease holds ({@code harvester.cluster.lease}) and how many live runs
 * it owns. Which one answers is {@code self}.
 */
public final class InstancesApi {

    private final RunRepository runs;
    private final long leaseMillis;

    InstancesApi(RunRepository runs, long leaseMillis) {
        this.runs = runs;
        this.leaseMillis = leaseMillis;
    }

    public Map<String, Object> list(Exchange exchange) {
        List<Map<String, Object>> instances = runs.heartbeats().instances(leaseMillis).stream()
                .map(i -> new JsonRow().with("id", i.id()).with("host", i.host()).with("startedAt", i.startedAt())
                        .with("lastBeat", i.lastBeat()).with("alive", i.alive()).with("liveRuns", i.liveRuns())
                        .with("self", i.id().equals(runs.owner())).fields())
                .toList();
        return Map.of("leaseMs", leaseMillis, "instances", instances);
    }
}
