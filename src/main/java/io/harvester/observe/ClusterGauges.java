package io.harvester.observe;

import io.harvester.runs.Heartbeats;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The cluster as a gauge: {@code harvester_instances_alive}, the instances on this database whose lease holds
 * ({@code harvester.cluster.lease}), read at each scrape; NaN while the database is away (the scrape itself
 * still answers).
 */
final class ClusterGauges {

    private final Heartbeats heartbeats;
    private final long leaseMillis;

    ClusterGauges(Heartbeats heartbeats, long leaseMillis) {
        this.heartbeats = heartbeats;
        this.leaseMillis = leaseMillis;
    }

    void bindTo(MeterRegistry registry) {
        Gauge.builder("harvester.instances.alive", this::alive)
                .description("Harvester instances whose lease holds (harvester.cluster.lease)").register(registry);
    }

    private double alive() {
        try {
            return heartbeats.alive(leaseMillis);
        } catch (RuntimeException databaseAway) {
            return Double.NaN;
        }
    }
}
