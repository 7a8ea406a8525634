package io.harvester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.harvester.support.DaemonProcess;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import org.junit.jupiter.api.Test;

/**
 * Signals to the real jar: an idle daemon stops at once and quietly; a run that can finish within the
 * shutdown timeout does; one that cannot ends interrupted.
 */
class ShutdownIT {

    private static String export(FakeUpstream upstream, String name) {
        return ExportYaml.exports().export(name, upstream.url("/orders"),
                Map.of("pageSize", "10", "concurrency", "1", "runAtStartup", "true")).yaml();
    }

    @Test
    void should_stop_an_idle_daemon_in_each_profile_on_sigterm_and_sigint_well_before_the_shutdown_timeout_without_a_warning() throws Exception {
        List<String> stops = new ArrayList<>();
        // the four start together (how long a start takes is not measured here); each is then stopped alone, the others idle.
        // Four, not the ten of before: every start costs the suite CPU, and the race ten stops once caught (a heartbeat tick
        // ending after its route) has a test of its own now (HeartbeatStopTest); bench/run.sh startup stops ten
        List<DaemonProcess> daemons = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                // the dev profile (embedded PostgreSQL and Redis, demo pipelines) twice, the prod one otherwise
                boolean dev = i < 2;
                DaemonProcess daemon = dev ? DaemonProcess.prepare() : DaemonProcess.prepare().prod();
                daemons.add(daemon);
                daemon.start(dev ? new String[] {"-Dharvester.demo.run-at-startup=false"} : new String[0]);
            }
            for (DaemonProcess daemon : daemons) {
                daemon.awaitHealthy(Duration.ofSeconds(120));
            }
            for (int i = 0; i < 4; i++) {
                boolean dev = i < 2;
                String signal = i % 2 == 0 ? "TERM" : "INT";
                DaemonProcess daemon = daemons.get(i);
                int logged = daemon.log().length();
                int printed = daemon.console().length();
                long sent = System.nanoTime();
                new ProcessBuilder("kill", "-" + signal, String.valueOf(daemon.process().pid())).start().waitFor();
                boolean ended = daemon.process().waitFor(30, TimeUnit.SECONDS);
                long tookMs = (System.nanoTime() - sent) / 1_000_000;
                String after = daemon.log().substring(logged) + daemon.console().substring(printed);
                stops.add((dev ? "dev" : "prod") + " SIG" + signal + " " + (ended ? tookMs + " ms" : "still running"));
                assertThat(ended).as(stops.toString()).isTrue();
                assertThat(after.lines().filter(line -> line.contains(" WARN ") || line.contains(" ERROR ") || line.startsWith("\tat ")))
                        .as("what the stop logged (%s)", stops).isEmpty();
            }
        } finally {
            for (DaemonProcess daemon : daemons) {
                daemon.close();
            }
        }
        System.out.println("idle stops: " + stops);
        // an idle stop waits for nothing: a third of the 30 s shutdown timeout tells waiting from not waiting on a busy
        // machine; how fast a stop is (the 2 s aim) is measured by bench/run.sh startup, not asserted here
        assertThat(stops).allMatch(stop -> stop.endsWith(" ms") && Long.parseLong(stop.replaceAll(".* (\\d+) ms", "$1")) < 10_000,
                "under 10 s");
    }

    @Test
    void should_finish_and_publish_an_export_that_needs_three_more_seconds() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start().total(100).latencyMs(500);
             DaemonProcess daemon = DaemonProcess.prepare().prod()
                     .routes("exports.camel.yaml", export(upstream, "drain"))
                     .routes("orders.yaml", "# not a route file: its name lacks .camel\n[]\n")
                     .routes("team/ping.camel.yaml", "- route:\n    id: team-ping\n    from:\n"
                             + "      uri: \"timer:team-ping?repeatCount=1\"\n      steps:\n"
                             + "        - log: \"route from a sub-folder ran\"\n")) {
            daemon.start("-Dcamel.main.shutdown-timeout=15");
            await().atMost(Duration.ofSeconds(60)).until(() -> upstream.requests() >= 3);

            long sigterm = System.nanoTime();
            daemon.process().destroy();
            Integer exit = daemon.exitCodeWithin(30);
            long tookMs = (System.nanoTime() - sigterm) / 1_000_000;

            assertThat(exit).as("process ended").isNotNull();
            assertThat(tookMs).isLessThan(15_000);
            assertThat(upstream.requests()).isEqualTo(10);
            List<Map<String, Object>> runs = daemon.query("select id, status, error from runs where pipeline = 'export:drain'");
            assertThat(runs).hasSize(1);
            assertThat(runs.get(0).get("status")).isEqualTo("completed");
            assertThat(runs.get(0).get("error")).isNull();
            List<String> files = daemon.files("output/drain");
            assertThat(files).hasSize(2).contains("runs/" + runs.get(0).get("id") + ".log")
                    .anyMatch(f -> f.matches("drain-\\d{8}-\\d{6}\\.csv"));
            assertThat(daemon.log()).contains("WARN ").contains("Ignored: routes/orders.yaml; route files end in .camel.yaml")
                    .contains("route from a sub-folder ran")
                    .doesNotContain("demo-api-orders");
        }
    }

    @Test
    void should_keep_the_embedded_redis_answering_while_a_sigterm_drains_the_runs() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start().total(100).latencyMs(500);
             DaemonProcess daemon = DaemonProcess.prepare().routes("exports.camel.yaml", export(upstream, "drain"))) {
            daemon.start("-Dharvester.demo.run-at-startup=false", "-Dcamel.main.shutdown-timeout=15");
            await().atMost(Duration.ofSeconds(90)).until(() -> upstream.requests() >= 3);
            Matcher listening = Pattern.compile("Embedded Redis listening on 127\\.0\\.0\\.1:(\\d+)").matcher(daemon.log());
            assertThat(listening.find()).as("the dev profile's Redis port in the log").isTrue();
            int redisPort = Integer.parseInt(listening.group(1));

            daemon.process().destroy();
            // the export needs about 3.5 s more: Redis is one of the things its routes still use meanwhile
            Thread.sleep(1_000);
            assertThat(daemon.process().isAlive()).as("still draining").isTrue();
            assertThat(ping(redisPort)).as("the embedded Redis answers during the drain").isEqualTo("+PONG");
            Integer exit = daemon.exitCodeWithin(30);

            assertThat(exit).as("process ended").isNotNull();
            assertThat(upstream.requests()).isEqualTo(10);
            assertThat(daemon.log()).contains("Embedded Redis stopped");
            assertThat(daemon.errorLines()).isEmpty();
            assertThat(daemon.log().lines().filter(line -> line.contains(" WARN ") && line.contains("Redis"))).isEmpty();
        }
    }

    private static String ping(int port) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(2_000);
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    @Test
    void should_interrupt_an_export_that_needs_a_minute_within_the_timeout() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start().total(600).latencyMs(1000);
             DaemonProcess daemon = DaemonProcess.prepare().prod().routes("exports.camel.yaml", export(upstream, "long"))) {
            daemon.start("-Dcamel.main.shutdown-timeout=3");
            await().atMost(Duration.ofSeconds(60)).until(() -> upstream.requests() >= 2);

            long sigterm = System.nanoTime();
            daemon.process().destroy();
            Integer exit = daemon.exitCodeWithin(30);
            long tookMs = (System.nanoTime() - sigterm) / 1_000_000;

            assertThat(exit).as("process ended").isNotNull();
            assertThat(tookMs).as("gone within the timeout plus a few seconds").isLessThan(3_000 + 5_000);
            List<Map<String, Object>> runs = daemon.query("select id, status, error from runs where pipeline = 'export:long'");
            assertThat(runs).hasSize(1);
            assertThat(runs.get(0).get("status")).isEqualTo("interrupted");
            assertThat(runs.get(0).get("error")).isEqualTo("stopped by shutdown after 3 s");
            assertThat(daemon.query("select name, status from run_steps")).containsExactly(
                    Map.of("name", "fetch", "status", "interrupted"));
            assertThat(daemon.files("output/long")).as("no file under a final name, no temporary file; the run's log")
                    .containsExactly("runs/" + runs.get(0).get("id") + ".log");
            assertThat(daemon.log()).doesNotContain("NullPointerException");
        }
    }
}
