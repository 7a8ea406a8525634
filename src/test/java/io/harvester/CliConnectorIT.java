package io.harvester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.support.CamelJBang;
import io.harvester.support.DaemonProcess;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Camel CLI commands of docs/operations.md ("Camel CLI"), run as an operator runs them: Camel JBang's own commands (camel-jbang-core,
 * on the failsafe class path) in a process of their own, with the daemon's user.home, against the jar with
 * camel-cli-connector. They find the daemon through {@code <user.home>/.camel/<pid>-status.json} and drive
 * it through {@code <pid>-action.json}.
 */
class CliConnectorIT {

    private static final String CAMEL = CamelJBang.class.getName();
    private static final ObjectMapper JSON = new ObjectMapper();

    private DaemonProcess harvester;
    private FakeUpstream upstream;

    @AfterEach
    void stop() throws Exception {
        if (harvester != null) {
            harvester.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void should_list_stop_start_and_run_a_pipeline_with_the_readme_commands() throws Exception {
        upstream = FakeUpstream.start().total(30);
        harvester = DaemonProcess.prepare().prod()
                .routes("exports.camel.yaml", ExportYaml.exports().export("cli", upstream.url("/orders"), Map.of("pageSize", "10")).yaml())
                .cliConnector().start();
        long pid = harvester.process().pid();
        Path status = harvester.home().resolve(".camel").resolve(pid + "-status.json");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> "Started".equals(routeState(status, "export-cli")));
        assertThat(JSON.readTree(status.toFile()).get("context").get("name").asText()).isEqualTo("harvester");
        // the status file's versions, read beside the commands until camel stop (checked there)
        StatusVersions versions = new StatusVersions(status);

        // camel ps: the daemon by pid and name
        assertThat(camel("ps")).anyMatch(line -> line.matches("\\s*" + pid + "\\s+harvester\\b.*"));
        // camel get route harvester: the pipeline's route among the daemon's own
        assertThat(camel("get", "route", "harvester")).anyMatch(line -> line.matches(".*\\bexport-cli\\b.*\\bStarted\\b.*"));

        // camel get health: Harvester's checks
        assertThat(camel("get", "health")).anyMatch(line -> line.matches("\\s*" + pid + "\\s+harvester\\b.*\\bharvester/database\\s+R\\s+UP\\b.*"))
                .anyMatch(line -> line.matches("\\s*" + pid + "\\s+harvester\\b.*\\bharvester/redis\\s+R\\s+UP\\b.*"))
                .anyMatch(line -> line.matches(".*\\bharvester/breaker:export:cli\\s+R\\s+UP\\b.*"));

        // the positional argument names the integration (pid or name), --id the route; a route id there
        // names no integration, so nothing is asked of the daemon
        camel("cmd", "stop-route", "export-cli");
        assertThat(harvester.home().resolve(".camel").resolve(pid + "-action.json")).doesNotExist();
        // the connector rewrites its status file every 2 s: a read in the middle of a write finds no state
        assertThat(await().atMost(Duration.ofSeconds(10)).until(() -> routeState(status, "export-cli"), Objects::nonNull))
                .isEqualTo("Started");
        camel("cmd", "stop-route", String.valueOf(pid), "--id=export-cli");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> "Stopped".equals(routeState(status, "export-cli")));
        assertThat(camel("get", "route", String.valueOf(pid))).anyMatch(line -> line.matches(".*\\bexport-cli\\b.*\\bStopped\\b.*"));
        camel("cmd", "start-route", "harvester", "--id=export-cli");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> "Started".equals(routeState(status, "export-cli")));

        // a run started from the CLI: the connector sends to the pipeline's trigger, which starts it in the background
        List<String> sent = camel("cmd", "send", "harvester", "--endpoint=trigger:export:cli?background=true", "--body=cli");
        assertThat(sent).anyMatch(line -> line.contains("(success)"));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> harvester.query("select id from runs where pipeline = 'export:cli' and finished_at is not null").size() == 1);
        assertThat(harvester.query("select status, trigger, error from runs where pipeline = 'export:cli'"))
                .containsExactly(row("completed", "manual", null));
        assertThat(upstream.requests()).isEqualTo(3);

        // rewritten every harvester.cli-connector.status-interval-ms (2 s), not Camel's every second: the context's
        // uptime in the file moves on by at least the interval from one version to the next, once Camel's own 1 s
        // schedule (until the interval is set, just after the routes start) is over
        List<Long> uptimes = versions.stop();
        List<Long> settled = uptimes.stream().filter(uptime -> uptime >= uptimes.get(0) + 3000).toList();
        assertThat(settled).as("the status file's versions, by uptime, from 3 s on").hasSizeGreaterThanOrEqualTo(3);
        for (int i = 1; i < settled.size(); i++) {
            assertThat(settled.get(i) - settled.get(i - 1)).as("ms between versions %s", settled).isGreaterThanOrEqualTo(1900);
        }

        // camel stop: the connector stops the context, and the process ends with it (it stayed up for good, kept alive
        // by the connector's thread)
        camel("stop", String.valueOf(pid));
        assertThat(harvester.exitCodeWithin(30)).as("exit code after camel stop").isZero();
    }

    private static Map<String, Object> row(String status, String trigger, String error) {
        Map<String, Object> row = new java.util.LinkedHashMap<>();
        row.put("status", status);
        row.put("trigger", trigger);
        row.put("error", error);
        return row;
    }

    /** Runs {@code camel <args>} as the daemon's user (its user.home) and returns its output lines; it must exit 0. */
    private List<String> camel(String... args) throws IOException, InterruptedException {
        // the quick compiler alone, as for the daemon (DaemonProcess): a command lives for a second or two
        List<String> command = new ArrayList<>(List.of("java", "-XX:TieredStopAtLevel=1", "-Duser.home=" + harvester.home(), "-cp",
                System.getProperty("java.class.path"), CAMEL));
        command.addAll(List.of(args));
        Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
        cli.getOutputStream().close();
        byte[] output = cli.getInputStream().readAllBytes();
        assertThat(cli.waitFor(60, TimeUnit.SECONDS)).as("camel " + String.join(" ", args) + " ended").isTrue();
        // without a terminal the tables still carry colour codes
        String text = new String(output, StandardCharsets.UTF_8).replaceAll("\u001B\\[[0-9;]*m", "");
        assertThat(cli.exitValue()).as("camel " + String.join(" ", args) + ":\n" + text).isZero();
        return text.lines().toList();
    }

    /** The context's uptime (ms) in each version of the status file, read every 50 ms in a thread of its own. */
    private static final class StatusVersions {
        private final List<Long> uptimes = new ArrayList<>();
        private volatile boolean reading = true;
        private final Thread reader;

        StatusVersions(Path status) {
            reader = new Thread(() -> {
                while (reading) {
                    try {
                        JsonNode uptime = JSON.readTree(status.toFile()).path("context").path("uptime");
                        if (uptime.canConvertToLong() && (uptimes.isEmpty() || uptimes.get(uptimes.size() - 1) != uptime.asLong())) {
                            uptimes.add(uptime.asLong());
                        }
                    } catch (IOException inTheMiddleOfAWrite) {
                        // the next read finds it whole
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "status-versions");
            reader.start();
        }

        List<Long> stop() throws InterruptedException {
            reading = false;
            reader.join();
            return List.copyOf(uptimes);
        }
    }

    /** The route's state in the status file as far as it is written; null while it is not (yet). */
    private static String routeState(Path status, String routeId) {
        try {
            for (JsonNode route : JSON.readTree(status.toFile()).path("routes")) {
                if (route.path("routeId").asText().equals(routeId)) {
                    return route.path("state").asText();
                }
            }
            return null;
        } catch (IOException notWrittenYet) {
            return null;
        }
    }
}
