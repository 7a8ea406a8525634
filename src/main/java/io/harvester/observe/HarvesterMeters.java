package io.harvester.observe;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.harvester.runs.LiveRun;
import io.harvester.runs.RunObserver;
import io.harvester.runs.RunStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * Harvester's own meters, on the registry Camel scrapes at /observe/metrics (docs/operations.md,
 * "Metrics and health"). Runs and pipelines report through {@link RunObserver}, breakers come and go with their
 * routes through {@link PipelineBreakers}; nothing outside this package knows about Micrometer.
 */
final class HarvesterMeters implements RunObserver, PipelineBreakers.Listener {

    /** A counter pipelines report: its Micrometer name (Prometheus adds _total) and its help text. */
    private record CounterName(String name, String help) {
    }

    /** The counters pipelines report, by measure. A meter without a description has no help text, which promtool flags. */
    private static final Map<String, CounterName> COUNTERS = Map.of(
            ROWS, new CounterName("harvester.export.rows", "CSV rows exports wrote, by pipeline (failed runs' rows included)"),
            PAGES, new CounterName("harvester.export.pages", "Pages exports fetched successfully, by pipeline"),
            LOOKUPS, new CounterName("harvester.crawl.lookups",
                    "Lookups crawls made, by pipeline: answered, or failed after their retries"));
    /** Every state a breaker can be in: one gauge each per pipeline, 1 for the state it is in. */
    private static final List<CircuitBreaker.State> STATES = List.of(CircuitBreaker.State.values());

    private final MeterRegistry registry;
    private final PipelineBreakers breakers;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> limits = new ConcurrentHashMap<>();
    private final Map<String, List<Meter>> breakerGauges = new ConcurrentHashMap<>();

    HarvesterMeters(MeterRegistry registry, PipelineBreakers breakers) {
        this.registry = registry;
        this.breakers = breakers;
    }

    @Override
    public void ended(String pipeline, RunStatus ended, Duration took) {
        String status = ended.word();
        String key = pipeline + '\n' + status;
        counters.computeIfAbsent("runs\n" + key, k -> Counter.builder("harvester.runs")
                .description("Runs ended, by pipeline and status (skipped triggers included)")
                .tag("pipeline", pipeline).tag("status", status).register(registry)).increment();
        timers.computeIfAbsent(key, k -> Timer.builder("harvester.run.duration")
                .description("How long runs took, by pipeline and status")
                .tag("pipeline", pipeline).tag("status", status).register(registry)).record(took);
    }

    /** A run this instance took over from a dead one and continues (a begin listener of the run lifecycle). */
    void begun(LiveRun run) {
        if (run.takenOver()) {
            counters.computeIfAbsent("takeovers\n" + run.pipeline(), k -> Counter.builder("harvester.takeovers")
                    .description("Runs this instance took over from dead instances and continued, by pipeline")
                    .tag("pipeline", run.pipeline()).register(registry)).increment();
        }
    }

    @Override
    public void counted(String pipeline, String measure, long amount) {
        CounterName counter = COUNTERS.get(measure);
        if (counter != null) {
            counters.computeIfAbsent(measure + '\n' + pipeline, k -> Counter.builder(counter.name()).description(counter.help())
                    .tag("pipeline", pipeline).register(registry)).increment(amount);
        }
    }

    @Override
    public void level(String pipeline, String measure, long value) {
        if (LIMIT.equals(measure)) {
            limits.computeIfAbsent(pipeline, p -> {
                AtomicLong limit = new AtomicLong();
                Gauge.builder("harvester.crawl.limit", limit, AtomicLong::get)
                        .description("The crawl's adaptive in-flight limit (its latest run's)")
                        .tag("pipeline", p).register(registry);
                return limit;
            }).set(value);
        }
    }

    @Override
    public void added(String pipeline) {
        removed(pipeline);
        List<Meter> gauges = STATES.stream().<Meter>map(state -> Gauge.builder("harvester.breaker.state",
                        () -> state.name().equals(breakers.state(pipeline)) ? 1 : 0)
                .description("1 for the state the pipeline's circuit breaker is in, 0 for the others")
                .tag("pipeline", pipeline).tag("state", state.name()).register(registry)).toList();
        breakerGauges.put(pipeline, gauges);
    }

    @Override
    public void removed(String pipeline) {
        List<Meter> gauges = breakerGauges.remove(pipeline);
        if (gauges != null) {
            gauges.forEach(registry::remove);
        }
    }
}
