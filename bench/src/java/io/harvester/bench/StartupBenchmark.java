package io.harvester.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.harvester.support.DaemonProcess;

/**
 * Start-up of the embedded default as a user runs it ({@code java -jar target/harvester.jar}, dev profile: embedded
 * PostgreSQL and Redis, demo pipelines): from launching the JVM to {@code /observe/health} answering UP (200), on a
 * fresh folder (the first start: initdb, the schema) and again on the same folder after a SIGTERM (a restart).
 * Median of five folders; the jar is built.
 */
public final class StartupBenchmark {

    private static final int RUNS = 5;

    public static void main(String[] args) throws Exception {
        List<Long> first = new ArrayList<>();
        List<Long> restart = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            try (DaemonProcess daemon = DaemonProcess.prepare()) {
                first.add(untilHealthy(daemon));
                daemon.process().destroy();
                daemon.process().waitFor(60, TimeUnit.SECONDS);
                restart.add(untilHealthy(daemon));
            }
        }
        System.out.println("| start-up to /observe/health UP | median ms of " + RUNS + " | min | max | aim | aim / median |");
        System.out.println("|---|---|---|---|---|---|");
        row("first start (fresh folder)", first, 4000);
        row("restart (same folder)", restart, 2000);
    }

    private static long untilHealthy(DaemonProcess daemon) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long launched = System.nanoTime();
        daemon.startAsUser("-Dharvester.demo.run-at-startup=false");
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.port() + "/observe/health")).build();
        while (true) {
            try {
                if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - launched);
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            if (!daemon.process().isAlive()) {
                throw new IllegalStateException("the daemon exited: " + daemon.console());
            }
            Thread.sleep(20);
        }
    }

    private static void row(String name, List<Long> took, long aim) {
        Collections.sort(took);
        long median = took.get(RUNS / 2);
        System.out.printf("| %s | %d | %d | %d | %d ms | %.2f |%n", name, median, took.get(0), took.get(RUNS - 1), aim,
                aim / (double) median);
    }
}
