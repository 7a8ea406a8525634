package io.harvester.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.harvester.support.DaemonScope;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import org.junit.jupiter.api.Test;

/**
 * /api requests are judged on their headers before any body is read: a missing token is a 401 while the
 * body is still unsent, and bodies in flight share one budget (503 with Retry-After beyond it).
 */
@HarvesterDaemon(scope = HarvesterDaemon.Scope.METHOD)
class ApiGateTest {

    DaemonScope daemons;
    HarvesterRuntime harvester;

    @Test
    void should_refuse_a_request_without_token_before_its_body_is_sent() throws Exception {
        harvester = daemons.start("[]", Map.of());
        try (Socket socket = new Socket("localhost", harvester.port())) {
            socket.setSoTimeout(10_000);
            // announces 4 MB and sends none of it: only an answer from the headers can come back
            send(socket, headers(null, 4_194_304));
            assertThat(answer(socket)).startsWith("HTTP/1.1 401").contains("connection: close")
                    .endsWith("{\"error\":\"missing API token: send Authorization: Bearer <token>\"}");
        }
    }

    @Test
    void should_answer_503_to_bodies_beyond_the_in_flight_budget_and_take_them_once_it_is_free() throws Exception {
        harvester = daemons.start("[]", Map.of("camel.server.max-body-size", "1000",
                "harvester.api.in-flight-bytes", "2000"));
        ApiGate gate = harvester.context().getRegistry().lookupByNameAndType("apiGate", ApiGate.class);
        String update = "{\"id\": \"t1\", \"state\": \"ok\", \"pad\": \"" + "x".repeat(950) + "\"}";
        int length = update.getBytes(StandardCharsets.UTF_8).length;
        try (Socket first = new Socket("localhost", harvester.port()); Socket second = new Socket("localhost", harvester.port())) {
            first.setSoTimeout(10_000);
            second.setSoTimeout(10_000);
            // two bodies announced and not yet sent hold the whole budget
            send(first, headers(HarvesterRuntime.API_TOKEN, length));
            send(second, headers(HarvesterRuntime.API_TOKEN, length));
            await().atMost(Duration.ofSeconds(10)).until(() -> gate.inFlight() == 2L * length);
            try (Socket third = new Socket("localhost", harvester.port())) {
                third.setSoTimeout(10_000);
                send(third, headers(HarvesterRuntime.API_TOKEN, length) + update);
                assertThat(answer(third)).startsWith("HTTP/1.1 503").contains("retry-after: 1")
                        .endsWith("{\"error\":\"the server is reading 2000 bytes of request bodies already"
                                + " (harvester.api.in-flight-bytes): send again later\"}");
            }
            send(first, update);
            assertThat(answer(first)).startsWith("HTTP/1.1 202").contains("\n{\"accepted\":1}\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> gate.inFlight() == length);
            try (Socket fourth = new Socket("localhost", harvester.port())) {
                fourth.setSoTimeout(10_000);
                send(fourth, headers(HarvesterRuntime.API_TOKEN, length) + update);
                assertThat(answer(fourth)).startsWith("HTTP/1.1 202");
            }
            send(second, update);
            assertThat(answer(second)).startsWith("HTTP/1.1 202");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> gate.inFlight() == 0);
    }

    @Test
    void should_count_bodies_on_every_path_and_close_a_connection_whose_body_never_comes() throws Exception {
        harvester = daemons.start("[]", Map.of("camel.server.max-body-size", "1000",
                "harvester.api.in-flight-bytes", "1000", "harvester.api.body-timeout-ms", "1500"));
        ApiGate gate = harvester.context().getRegistry().lookupByNameAndType("apiGate", ApiGate.class);
        try (Socket holder = new Socket("localhost", harvester.port())) {
            holder.setSoTimeout(20_000);
            // a body announced on the console's path, never sent: it holds the whole budget
            send(holder, "GET /console/console.js HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> gate.inFlight() == 1000);
            try (Socket other = new Socket("localhost", harvester.port())) {
                other.setSoTimeout(10_000);
                send(other, "POST /observe/jolokia HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 20\r\nConnection: close\r\n\r\n{\"type\": \"version\"}");
                assertThat(answer(other)).startsWith("HTTP/1.1 503");
            }
            // the body timeout closes the holder's connection and gives its share back
            assertThat(holder.getInputStream().read()).isEqualTo(-1);
            await().atMost(Duration.ofSeconds(10)).until(() -> gate.inFlight() == 0);
        }
    }

    @Test
    void should_not_count_http2_requests_without_a_body_against_the_budget() throws Exception {
        harvester = daemons.start("[]", Map.of());
        ApiGate gate = harvester.context().getRegistry().lookupByNameAndType("apiGate", ApiGate.class);
        // Java's HttpClient upgrades to HTTP/2 (h2c): 3 rounds of 12 GETs at once would hold 48 MB had each taken a body's share
        HttpClient http = HttpClient.newHttpClient();
        List<String> answers = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            List<CompletableFuture<HttpResponse<Void>>> sent = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                sent.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:" + harvester.port()
                        + "/observe/health")).build(), HttpResponse.BodyHandlers.discarding()));
            }
            for (CompletableFuture<HttpResponse<Void>> one : sent) {
                answers.add(one.get().version() + " " + one.get().statusCode());
            }
        }
        assertThat(answers).hasSize(36).contains("HTTP_2 200").allMatch(answer -> answer.endsWith(" 200"));
        await().atMost(Duration.ofSeconds(10)).until(() -> gate.inFlight() == 0);
    }

    private String headers(String token, int length) {
        return "POST /api/tasks/status HTTP/1.1\r\nHost: localhost:" + harvester.port() + "\r\nContent-Type: application/json\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                + "Content-Length: " + length + "\r\nConnection: close\r\n\r\n";
    }

    private static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /**
     * One whole answer, its headers in lower case and its body after them, read as far as its length or
     * last chunk says (not to the end of the connection: the request may still be unsent).
     */
    private static String answer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder read = new StringBuilder();
        while (!complete(read)) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            read.append((char) b);
        }
        int end = read.indexOf("\r\n\r\n");
        return read.substring(0, end).toLowerCase().replace("http/1.1", "HTTP/1.1") + "\n" + read.substring(end).strip();
    }

    private static boolean complete(StringBuilder read) {
        int end = read.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        String headers = read.substring(0, end).toLowerCase();
        Matcher length = Pattern.compile("content-length: (\\d+)").matcher(headers);
        if (length.find()) {
            return read.length() - end - 4 >= Integer.parseInt(length.group(1));
        }
        return read.indexOf("\r\n0\r\n\r\n", end) >= 0;
    }
}
