package io.harvester.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.harvester.support.DaemonProcess;

/**
 * Start-up of the embedded default as a user runs it ({@code java -jar target/harvester.jar}, dev profile: embedded
 * PostgreSQL and Redis, demo pipelines): from launching the JVM to {@code /observe/health} answering UP (200), on a
 * fresh folder (the first start: initdb, the schema) and again on the same folder after a SIGTERM (a restart); and
 * each idle stop, from SIGTERM to the process's end (aim 2 s).
 * Median of five folders, each started as a user does (no archive) and with the class-data archive that
 * {@code mvn package} makes ({@code -XX:SharedArchiveFile=target/harvester.jsa}), alternating; the jar is built.
 */
public final class StartupBenchmark {

    private static final int RUNS = 5;

    public static void main(String[] args) throws Exception {
        Path archive = Path.of(System.getProperty("harvester.jar")).resolveSibling("harvester.jsa");
        if (!Files.exists(archive)) {
            throw new IllegalStateException(archive + " is missing: mvn package makes it");
        }
        String withArchive = "-XX:SharedArchiveFile=" + archive;
        Map<String, List<Long>> took = new LinkedHashMap<>();
        for (String row : new String[] {"first start, no archive", "first start, with the archive", "restart, no archive",
                "restart, with the archive", "idle stop (SIGTERM to exit), no archive", "idle stop (SIGTERM to exit), with the archive"}) {
            took.put(row, new ArrayList<>());
        }
        for (int i = 0; i < RUNS; i++) {
            // alternating which goes first, so that a noisy moment of the shared machine hits both
            boolean archiveFirst = i % 2 == 1;
            for (boolean useArchive : new boolean[] {archiveFirst, !archiveFirst}) {
                String[] options = useArchive ? new String[] {withArchive} : new String[0];
                String how = useArchive ? "with the archive" : "no archive";
                try (DaemonProcess daemon = DaemonProcess.prepare()) {
                    took.get("first start, " + how).add(untilHealthy(daemon, options));
                    took.get("idle stop (SIGTERM to exit), " + how).add(stop(daemon));
                    took.get("restart, " + how).add(untilHealthy(daemon, options));
                    took.get("idle stop (SIGTERM to exit), " + how).add(stop(daemon));
                }
            }
        }
        System.out.println("| start-up to /observe/health UP; idle stop | median ms of " + RUNS + " (stops: " + 2 * RUNS + ") | min | max | aim | aim / median |");
        System.out.println("|---|---|---|---|---|---|");
        took.forEach((row, times) -> row(row, times, row.startsWith("first") ? 4000 : 2000));
    }

    /** SIGTERM to an idle daemon until its process has ended (ShutdownIT asserts the stop, this measures it). */
    private static long stop(DaemonProcess daemon) throws Exception {
        long sent = System.nanoTime();
        daemon.process().destroy();
        if (!daemon.process().waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the daemon did not stop within 60 s");
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
    }

    private static long untilHealthy(DaemonProcess daemon, String... options) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long launched = System.nanoTime();
        List<String> jvm = new ArrayList<>(List.of(options));
        jvm.add("-Dharvester.demo.run-at-startup=false");
        daemon.startAsUser(jvm.toArray(String[]::new));
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
        long median = took.get(took.size() / 2);
        System.out.printf("| %s | %d | %d | %d | %d ms | %.2f |%n", name, median, took.get(0), took.get(took.size() - 1), aim,
                aim / (double) median);
    }
}
