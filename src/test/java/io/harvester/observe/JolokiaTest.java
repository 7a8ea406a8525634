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

        JsonNode started = post("127.0.0.1", Map.of("type", "exec", "mbean", "io.harvester:type=export,name=\"watched\"",
                "operation", "runNow()"));
        assertThat(started.path("value").asText()).startsWith("run of export:watched started");
        await().atMost(Duration.ofSeconds(20)).until(() -> !harvester.query(
                "select 1 from runs where pipeline = 'export:watched' and status = 'completed'").isEmpty());
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
