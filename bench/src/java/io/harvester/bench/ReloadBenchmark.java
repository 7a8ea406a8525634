package io.harvester.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.TestStorage;
import org.apache.camel.ServiceStatus;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;

/**
 * How long a live route edit takes (bench/run.sh reload; not a test): from saving a route file to the
 * new route serving, for a changed pageSize and for a new export file, median of 10 after 2 warm-ups,
 * beside the daemon's own start-up time, what a restart would cost instead. Each edited export then
 * runs once to check that it asks for the new page size.
 */
public final class ReloadBenchmark {

    private static final int WARMUP = 2;
    private static final int ROUNDS = 10;

    private ReloadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createDirectories(Path.of("target", "bench", "reload")).toAbsolutePath();
        try (var files = Files.list(work)) {
            for (Path old : files.filter(p -> p.toString().endsWith(".camel.yaml")).toList()) {
                Files.delete(old);
            }
        }
        // the embedded PostgreSQL and Redis stand in for servers that are up before the daemon starts
        TestStorage.get();
        try (FakeUpstream api = FakeUpstream.start().total(100)) {
            long start = System.nanoTime();
            try (HarvesterRuntime harvester = HarvesterRuntime.start(work, "[]\n", Map.of(
                    "camel.main.routes-include-pattern", "file:routes/templates/*.camel.yaml,file:routes/harvester-*.camel.yaml,"
                            + "file:" + work + "/*.camel.yaml",
                    "camel.main.routes-reload-enabled", "true",
                    "camel.main.routes-reload-directory", work.toString(),
                    "camel.main.routes-reload-directory-recursive", "false"))) {
                double startupMs = (System.nanoTime() - start) / 1e6;
                ModelCamelContext context = (ModelCamelContext) harvester.context();
                List<Double> changed = new ArrayList<>();
                List<Double> added = new ArrayList<>();
                for (int round = 0; round < WARMUP + ROUNDS; round++) {
                    int pageSize = 10 + round;
                    double changeMs = timeUntil(() -> save(work.resolve("bench.camel.yaml"),
                            export("bench", api, pageSize)), () -> serves(context, "export-bench", pageSize));
                    api.resetCounters();
                    harvester.runNow("export:bench");
                    String expected = "/orders?page=1&size=" + pageSize;
                    if (!api.requestUris().get(0).equals(expected)) {
                        throw new IllegalStateException("the edited export asked " + api.requestUris().get(0) + ", not " + expected);
                    }
                    String name = "new" + round;
                    double addMs = timeUntil(() -> save(work.resolve(name + ".camel.yaml"), export(name, api, 50)),
                            () -> serves(context, "export-" + name, 50));
                    if (round >= WARMUP) {
                        changed.add(changeMs);
                        added.add(addMs);
                    }
                }
                System.out.println("| edit | save → new route serving, ms (median of " + ROUNDS + ") | min | max |"
                        + " daemon start-up ms (a restart instead) |");
                System.out.println("|---|---|---|---|---|");
                row("pageSize changed in an export's file", changed, startupMs);
                row("new export file added", added, startupMs);
            }
        }
        System.exit(0);
    }

    private static void row(String edit, List<Double> times, double startupMs) {
        System.out.printf("| %s | %.0f | %.0f | %.0f | %.0f |%n", edit, median(times), Collections.min(times),
                Collections.max(times), startupMs);
    }

    /** Whether the route runs (started) made from the template with this page size. */
    private static boolean serves(ModelCamelContext context, String routeId, int pageSize) {
        RouteDefinition definition = context.getRouteDefinition(routeId);
        return definition != null && definition.getTemplateParameters() != null
                && String.valueOf(pageSize).equals(String.valueOf(definition.getTemplateParameters().get("pageSize")))
                && context.getRouteController().getRouteStatus(routeId) == ServiceStatus.Started;
    }

    private static double timeUntil(Runnable edit, BooleanSupplier done) throws InterruptedException {
        long start = System.nanoTime();
        edit.run();
        long deadline = start + 30_000_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the edit was not applied within 30 s");
            }
            Thread.sleep(2);
        }
        return (System.nanoTime() - start) / 1e6;
    }

    private static String export(String name, FakeUpstream api, int pageSize) {
        return ExportYaml.exports().export(name, api.url("/orders"), Map.of("pageSize", String.valueOf(pageSize),
                "concurrency", "1")).yaml();
    }

    private static void save(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
