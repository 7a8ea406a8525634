package io.harvester.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.support.DaemonTestBase;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Jolokia at /observe/jolokia as Hawtio uses it: reads, route control and Harvester's operations answer
 * from this machine; the JVM's dangerous operations and attribute writes are refused by the shipped
 * policy; a client on another address gets 403 before Jolokia sees the request.
 */
class JolokiaTest extends DaemonTestBase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.start().total(20);
        startDaemon(ExportYaml.exports().export("watched", upstream.url("/orders"), Map.of("pageSize", "10")), Map.of());
    }

    @Test
    void should_read_and_control_routes_and_pipelines_from_this_machine() throws Exception {
        JsonNode read = post("127.0.0.1", Map.of("type", "read", "mbean", "io.harvester:type=export,name=\"watched\"",
                "attribute", "State"));
        assertThat(read.path("status").asInt()).isEqualTo(200);
        assertThat(read.path("value").asText()).isEqualTo("idle");
        HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + harvester.port()
                + "/observe/jolokia/read/io.harvester:type=export,name=%22watched%22/State")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(get.body()).path("value").asText()).isEqualTo("idle");

        String route = post("127.0.0.1", Map.of("type", "search", "mbean", "org.apache.camel:type=routes,name=\"export-watched\",*"))
                .path("value").get(0).asText();
        assertThat(post("127.0.0.1", Map.of("type", "exec", "mbean", route, "operation", "stop()")).path("status").asInt())
                .isEqualTo(200);
        assertThat(post("127.0.0.1", Map.of("type", "read", "mbean", route, "attribute", "State")).path("value").asText())
                .isEqualTo("Stopped");
        assertThat(post("127.0.0.1", Map.of("type", "exec", "mbean", route, "operation", "start()")).path("status").asInt())
                .isEqualTo(200);

        upstream.resetCounters();
        long before = runs();
        JsonNode started = post("127.0.0.1", Map.of("type", "exec", "mbean", "io.harvester:type=export,name=\"watched\"",
                "operation", "runNow()"));
        long id = started.path("value").asLong();
        await().atMost(Duration.ofSeconds(20)).until(() -> runs() == before + 1 && harvester.query(
                "select 1 from runs where pipeline = 'export:watched' and status in ('pending', 'running')").isEmpty());
        assertThat(harvester.query("select id, status from runs where pipeline = 'export:watched' order by id desc limit 1"))
                .containsExactly(Map.of("id", id, "status", "completed"));
        assertThat(upstream.requests()).isEqualTo(2);
    }

    @Test
    void should_refuse_what_the_policy_does_not_allow() throws Exception {
        Path dump = work.resolve("heap.hprof");
        JsonNode heap = post("127.0.0.1", Map.of("type", "exec", "mbean", "com.sun.management:type=HotSpotDiagnostic",
                "operation", "dumpHeap(java.lang.String,boolean)", "arguments", new Object[] {dump.toString(), true}));
        assertThat(heap.path("status").asInt()).isEqualTo(403);
        assertThat(Files.exists(dump)).isFalse();

        assertThat(post("127.0.0.1", Map.of("type", "exec", "mbean", "java.lang:type=Memory", "operation", "gc()"))
                .path("status").asInt()).isEqualTo(403);
        assertThat(post("127.0.0.1", Map.of("type", "exec", "mbean", "com.sun.management:type=DiagnosticCommand",
                "operation", "vmSystemProperties()")).path("status").asInt()).isEqualTo(403);
        assertThat(post("127.0.0.1", Map.of("type", "read", "mbean", "java.lang:type=Runtime",
                "attribute", "SystemProperties")).path("status").asInt()).isEqualTo(403);
        assertThat(post("127.0.0.1", Map.of("type", "write", "mbean", "java.lang:type=Memory", "attribute", "Verbose",
                "value", true)).path("status").asInt()).isEqualTo(403);
        assertThat(post("127.0.0.1", Map.of("type", "exec", "mbean", "JMImplementation:type=MBeanServerDelegate",
                "operation", "getAttribute(java.lang.String)", "arguments", new Object[] {"MBeanServerId"}))
                .path("status").asInt()).isEqualTo(403);
        String route = post("127.0.0.1", Map.of("type", "search", "mbean", "org.apache.camel:type=routes,name=\"export-watched\",*"))
                .path("value").get(0).asText();
        assertThat(post("127.0.0.1", Map.of("type", "exec", "mbean", route, "operation", "dumpRouteAsXml()"))
                .path("status").asInt()).isEqualTo(200);
        // with its placeholders resolved a dump could show a token from {{env:...}}
        assertThat(post("127.0.0.1", Map.of("type", "exec", "mbean", route, "operation", "dumpRouteAsXml(boolean)",
                "arguments", new Object[] {true})).path("status").asInt()).isEqualTo(403);
        assertThat(post("127.0.0.1", Map.of("type", "exec", "mbean", route, "operation", "updateRouteFromXml(java.lang.String)",
                "arguments", new Object[] {"<route/>"})).path("status").asInt()).isEqualTo(403);
        assertThat(post("127.0.0.1", Map.of("type", "read", "mbean", "java.lang:type=Memory", "attribute", "Verbose"))
                .path("value").asBoolean()).isFalse();
    }

    @Test
    void should_answer_403_to_a_client_on_another_address() throws Exception {
        Optional<String> other = nonLoopbackAddress();
        Assumptions.assumeTrue(other.isPresent(), "this machine has no address besides loopback");
        HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://" + other.get() + ":" + harvester.port() + "/observe/jolokia/version")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("clients on this machine only");

        HttpResponse<String> local = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + harvester.port() + "/observe/jolokia/version")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(local.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(local.body()).path("value").path("agent").asText()).isNotEmpty();
    }

    @Test
    void should_refuse_web_pages_of_other_sites_and_acting_by_get() throws Exception {
        String runNow = JSON.writeValueAsString(Map.of("type", "exec", "mbean", "io.harvester:type=export,name=\"watched\"",
                "operation", "runNow()"));
        long runs = runs();
        // a page of another site posting from a browser on this machine (its Origin gives it away)
        HttpResponse<String> crossSite = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + harvester.port() + "/observe/jolokia/"))
                .header("Origin", "http://evil.example").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(runNow)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(crossSite.statusCode()).isEqualTo(403);
        assertThat(crossSite.body()).contains("web pages of other sites");
        // DNS rebinding: the page's own host name resolved to 127.0.0.1
        assertThat(raw("POST /observe/jolokia/ HTTP/1.1\r\nHost: evil.example:" + harvester.port()
                + "\r\nContent-Type: text/plain\r\nContent-Length: " + runNow.length() + "\r\nConnection: close\r\n\r\n" + runNow))
                .startsWith("HTTP/1.1 403");
        // a GET can come from any page without Origin or Referer: it may only read
        HttpResponse<String> getExec = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + harvester.port()
                + "/observe/jolokia/exec/io.harvester:type=export,name=%22watched%22/runNow()")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(getExec.statusCode()).isEqualTo(403);
        assertThat(getExec.body()).contains("GET only reads");
        HttpResponse<String> getByParameter = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + harvester.port()
                + "/observe/jolokia/?p=/exec/io.harvester:type=export,name=%22watched%22/runNow()")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(getByParameter.statusCode()).isEqualTo(403);
        // an exec path with a p parameter naming a read: Jolokia follows the path, so must the check
        HttpResponse<String> smuggled = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + harvester.port()
                + "/observe/jolokia/exec/io.harvester:type=export,name=%22watched%22/runNow()?p=/read")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(smuggled.statusCode()).isEqualTo(403);
        // a sandboxed page or a no-referrer POST sends Origin: null; a browser marks a cross-site request
        for (String[] header : new String[][] {{"Origin", "null"}, {"Sec-Fetch-Site", "cross-site"},
                {"Origin", "http://localhost:1"}, {"Referer", "http://127.0.0.1:3000/page"}}) {
            HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + harvester.port() + "/observe/jolokia/"))
                    .header(header[0], header[1]).POST(HttpRequest.BodyPublishers.ofString(runNow)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(header[0] + ": " + header[1]).isEqualTo(403);
        }
        Thread.sleep(500); // a run started by any of them would have its row by now
        assertThat(runs()).isEqualTo(runs);

        // the same from this machine's own tools (curl, Hawtio's proxy: no foreign Origin) is served
        HttpResponse<String> local = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + harvester.port() + "/observe/jolokia/"))
                .header("Origin", "http://localhost:" + harvester.port())
                .POST(HttpRequest.BodyPublishers.ofString(runNow)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(local.body()).path("status").asInt()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> runs() == runs + 1 && harvester.query(
                "select 1 from runs where pipeline = 'export:watched' and status in ('pending', 'running')").isEmpty());
    }

    private static long runs() {
        return (Long) harvester.query("select count(*) as n from runs where pipeline = 'export:watched'").get(0).get("n");
    }

    /** A request written by hand: HttpClient will not send a Host header of the caller's choosing. */
    private static String raw(String request) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", harvester.port())) {
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static JsonNode post(String host, Map<String, Object> request) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://" + host + ":" + harvester.port() + "/observe/jolokia/"))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    /** An IPv4 address of this machine's own that is not loopback: connecting to it is a non-loopback client. */
    private static Optional<String> nonLoopbackAddress() throws Exception {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                    return Optional.of(address.getHostAddress());
                }
            }
        }
        return Optional.empty();
    }
}
