package io.harvester.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jolokia at /observe/jolokia as Hawtio uses it: reads, route control and Harvester's operations answer
 * from this machine; the JVM's dangerous operations and attribute writes are refused by the shipped
 * policy; a client on another address gets 403 before Jolokia sees the request; so does a web page
 * whose origin is neither this server nor one of harvester.jolokia.allowed-origins (a standalone Hawtio's,
 * whose proxy forwards the browser's Origin and Referer: HawtioIT).
 */
@HarvesterDaemon
class JolokiaTest {

    static DaemonScope daemons;
    @TempDir
    static Path work;
    static HarvesterRuntime harvester;
    @AutoClose
    static FakeUpstream upstream;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Where the operator's Hawtio runs, as harvester.jolokia.allowed-origins names it; nothing listens there. */
    private static final String HAWTIO = "http://localhost:8090";

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.start().total(20);
        harvester = daemons.start(ExportYaml.exports().export("watched", upstream.url("/orders"), Map.of("pageSize", "10")),
                Map.of("harvester.jolokia.allowed-origins", " " + HAWTIO + " , https://ops.example.com,"));
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
        // an allowed origin vouches for the page, not for the machine the request comes from
        HttpResponse<String> allowedPage = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://" + other.get() + ":" + harvester.port() + "/observe/jolokia/version"))
                .header("Origin", HAWTIO).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(allowedPage.statusCode()).isEqualTo(403);
        assertThat(allowedPage.body()).contains("clients on this machine only");

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

    @Test
    void should_serve_a_page_of_an_allowed_origin_through_its_own_server_s_proxy() throws Exception {
        String search = JSON.writeValueAsString(Map.of("type", "search", "mbean", "org.apache.camel:type=routes,*"));
        // what Hawtio's proxy forwards for its page: the browser's Origin, Referer and Sec-Fetch-Site, Host rewritten
        HttpResponse<String> proxied = jolokia(search, "Origin", HAWTIO, "Referer", HAWTIO + "/hawtio/jmx/attributes?con=harvester",
                "Sec-Fetch-Site", "same-origin");
        assertThat(proxied.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(proxied.body()).path("value")).map(JsonNode::asText)
                .anyMatch(route -> route.contains("name=\"export-watched\""));
        assertThat(jolokia(search, "Referer", HAWTIO + "/hawtio/").statusCode()).isEqualTo(200);
        // a browser leaves | ^ [ ] { } unescaped in a Referer's path and query: only its origin counts
        String unescaped = "/hawtio/jmx/attributes?nid=root-org.apache.camel|routes&q=a^b[0]{x}";
        HttpResponse<String> raw = jolokia(search, "Referer", HAWTIO + unescaped);
        assertThat(raw.statusCode()).as(raw.body()).isEqualTo(200);
        assertThat(jolokia(search, "Referer", "http://evil.example" + unescaped).body()).isEqualTo("{\"status\":403,"
                + "\"error\":\"requests from web pages of other sites are refused (Referer http://evil.example:80 is not in"
                + " harvester.jolokia.allowed-origins)\"}");
        // origins are compared as a browser does: case-insensitive host, the scheme's default port
        HttpResponse<String> ops = jolokia(search, "Origin", "https://OPS.example.com:443");
        assertThat(ops.statusCode()).as(ops.body()).isEqualTo(200);
    }

    @Test
    void should_refuse_every_origin_not_allowed_and_keep_the_other_protections_for_an_allowed_one() throws Exception {
        String runNow = JSON.writeValueAsString(Map.of("type", "exec", "mbean", "io.harvester:type=export,name=\"watched\"",
                "operation", "runNow()"));
        long runs = runs();
        HttpResponse<String> otherPort = jolokia(runNow, "Origin", "http://localhost:8091", "Sec-Fetch-Site", "same-origin");
        assertThat(otherPort.statusCode()).isEqualTo(403);
        assertThat(otherPort.body()).isEqualTo("{\"status\":403,\"error\":\"requests from web pages of other sites are refused"
                + " (Origin http://localhost:8091 is not in harvester.jolokia.allowed-origins)\"}");
        HttpResponse<String> foreignReferer = jolokia(runNow, "Origin", HAWTIO, "Referer", "http://evil.example/page?token=x");
        assertThat(foreignReferer.body()).isEqualTo("{\"status\":403,\"error\":\"requests from web pages of other sites are"
                + " refused (Referer http://evil.example:80 is not in harvester.jolokia.allowed-origins)\"}");
        for (String[] headers : new String[][] {{"Origin", "http://127.0.0.1:8090"}, {"Origin", "https://localhost:8090"},
                {"Origin", "http://localhost"}, {"Origin", "http://ops.example.com"}, {"Origin", "null"},
                {"Referer", "http://localhost:8091/hawtio/"}, {"Sec-Fetch-Site", "cross-site"},
                {"Origin", "http://localhost:8090.evil.example"},
                // the allowed page calling Harvester itself, not through its proxy: the browser says so
                {"Origin", HAWTIO, "Sec-Fetch-Site", "same-site"}, {"Referer", HAWTIO + "/hawtio/", "Sec-Fetch-Site", "cross-site"}}) {
            HttpResponse<String> refused = jolokia(runNow, headers);
            assertThat(refused.statusCode()).as(String.join(": ", headers)).isEqualTo(403);
            assertThat(refused.body()).as(String.join(": ", headers)).contains("web pages of other sites are refused");
        }
        // an allowed page still cannot act by GET, nor reach Harvester under a foreign host name
        HttpResponse<String> getExec = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + harvester.port()
                + "/observe/jolokia/exec/io.harvester:type=export,name=%22watched%22/runNow()")).header("Origin", HAWTIO).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(getExec.statusCode()).isEqualTo(403);
        assertThat(getExec.body()).contains("GET only reads");
        assertThat(raw("POST /observe/jolokia/ HTTP/1.1\r\nHost: evil.example:" + harvester.port() + "\r\nOrigin: " + HAWTIO
                + "\r\nContent-Type: text/plain\r\nContent-Length: " + runNow.length() + "\r\nConnection: close\r\n\r\n" + runNow))
                .startsWith("HTTP/1.1 403").contains("Jolokia answers requests to localhost only, not to host evil.example");
        // a run started by any of them would have its row within this
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> runs() == runs);
    }

    @Test
    void should_name_an_allowed_origin_that_is_not_an_origin() {
        assertThat(WebOrigin.list(" http://LocalHost:8090 , https://ops.example.com,,").stream().map(WebOrigin::toString))
                .containsExactlyInAnyOrder("http://localhost:8090", "https://ops.example.com:443");
        assertThat(WebOrigin.list("")).isEmpty();
        assertThat(WebOrigin.of("https://Ops.example.com:8443/hawtio/jmx?nid=a|b^c[1]{2}#x|y").map(WebOrigin::toString))
                .contains("https://ops.example.com:8443");
        assertThat(WebOrigin.of("HTTP://[::1]/p|q").map(WebOrigin::toString)).contains("http://[::1]:80");
        for (String notAPage : new String[] {"null", "localhost:8090/page", "ftp://localhost/x", "http://exa mple/"}) {
            assertThat(WebOrigin.of(notAPage)).as(notAPage).isEmpty();
        }
        for (String entry : new String[] {"localhost:8090", "http://localhost:8090/hawtio", "*", "http://localhost:8090?x=1",
                "ftp://localhost", "http://user@localhost:8090", "http://localhost:80 90"}) {
            assertThatThrownBy(() -> WebOrigin.list("http://localhost:8090," + entry)).as(entry)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("harvester.jolokia.allowed-origins: '" + entry + "' is not an origin; write it as the"
                            + " browser's address bar shows the page, scheme://host[:port] (http://localhost:8090), comma-separated");
        }
    }

    /** A POST to Jolokia from this machine with the given headers (name, value, name, value...). */
    private static HttpResponse<String> jolokia(String body, String... headers) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + harvester.port() + "/observe/jolokia/"))
                .headers(headers).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
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
