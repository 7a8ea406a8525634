package io.harvester.paging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import io.harvester.observe.PipelineBreakers;
import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** No page holds a run forever or fills the heap: maxResponseBytes, the stall timeout, maxAnswerMs and maxDurationMs end it by name. */
@HarvesterDaemon
class PagedExportBoundsTest {

    static DaemonScope daemons;
    static HarvesterRuntime harvester;
    @AutoClose
    static FakeUpstream upstream;

    private static final long MB = 1024 * 1024;
    static FakeUpstream huge;
    static FakeUpstream announced;
    static FakeUpstream stalled;
    static FakeUpstream trickle;
    static FakeUpstream silent;
    static FakeUpstream slow;
    static FakeUpstream cut;
    static SlowHead slowHead;

    @BeforeAll
    static void start() throws IOException {
        upstream = FakeUpstream.start().total(500);
        huge = FakeUpstream.start().total(300);
        announced = FakeUpstream.start().total(300);
        stalled = FakeUpstream.start().total(300);
        trickle = FakeUpstream.start().total(300);
        silent = FakeUpstream.start().total(300);
        slow = FakeUpstream.start().total(300);
        cut = FakeUpstream.start().total(1000);
        slowHead = new SlowHead();
        harvester = daemons.start(ExportYaml.exports()
                .export("orders", upstream.url("/orders"), Map.of("pageSize", "100"))
                .export("huge", huge.url("/orders"), Map.of("pageSize", "100", "retries", "3"))
                .export("announced", announced.url("/orders"), Map.of("pageSize", "100", "maxResponseBytes", "1048576"))
                .export("stalled", stalled.url("/orders"), Map.of("pageSize", "100", "timeoutMs", "1000", "retries", "0"))
                .export("silent", silent.url("/orders"), Map.of("pageSize", "100", "timeoutMs", "500", "retries", "0"))
                .export("slow", slow.url("/orders"),
                        Map.of("pageSize", "100", "timeoutMs", "5000", "maxAnswerMs", "1000", "retries", "0"))
                .export("trickle", trickle.url("/orders"),
                        Map.of("pageSize", "100", "timeoutMs", "5000", "maxDurationMs", "1500", "retries", "0"))
                .export("cut", cut.url("/orders"),
                        Map.of("pageSize", "100", "concurrency", "10", "timeoutMs", "5000", "maxDurationMs", "2000", "retries", "0"))
                .export("slowhead", slowHead.url("/orders"),
                        Map.of("pageSize", "100", "timeoutMs", "5000", "maxAnswerMs", "1000", "retries", "0")),
                Map.of());
    }

    @AfterAll
    static void stopUpstreams() throws IOException {
        huge.close();
        announced.close();
        stalled.close();
        trickle.close();
        silent.close();
        slow.close();
        cut.close();
        slowHead.close();
    }

    @Test
    void should_fail_a_page_larger_than_maxResponseBytes_while_another_export_completes() throws Exception {
        CountDownLatch streaming = new CountDownLatch(1);
        CountDownLatch goOn = new CountDownLatch(1);
        huge.stream(3, 0, body -> {
            body.write("{\"total\": 300, \"list\": [{\"id\": 201, \"note\": \"".getBytes(StandardCharsets.UTF_8));
            filler(body, 16 * MB);
            streaming.countDown();
            goOn.await(30, TimeUnit.SECONDS);
            filler(body, 84 * MB);
            body.write("\"}]}".getBytes(StandardCharsets.UTF_8));
        });

        CompletableFuture<Exchange> hugeRun = CompletableFuture.supplyAsync(() -> harvester.runNow("export:huge"));
        assertThat(streaming.await(30, TimeUnit.SECONDS)).as("page 3 of export:huge is on its way").isTrue();
        harvester.runNow("export:orders");
        assertThat(harvester.onlyRun("export:orders").get("status")).isEqualTo("completed");
        assertThat(harvester.onlyRun("export:huge").get("status")).as("still reading page 3").isEqualTo("running");
        goOn.countDown();
        hugeRun.get(60, TimeUnit.SECONDS);

        Map<String, Object> run = harvester.onlyRun("export:huge");
        assertThat(run.get("status")).isEqualTo("failed");
        assertThat(run.get("error")).isEqualTo("export huge failed on page 3 (" + huge.url("/orders")
                + "?page=3&size=100): the answer is larger than maxResponseBytes = 67108864 bytes");
        assertThat(huge.requests(3)).as("a refused answer is not asked for again").isEqualTo(1);
        assertThat(harvester.outputFiles("huge")).as("nothing published, no temporary file left").isEmpty();
        await().until(() -> huge.streamsCut() == 1);
        assertThat(harvester.csvFiles("orders")).hasSize(1);
    }

    @Test
    void should_refuse_an_answer_whose_content_length_is_past_the_limit_before_reading_it() throws Exception {
        announced.stream(2, 100 * MB, body -> filler(body, 100 * MB));

        harvester.runNow("export:announced");

        Map<String, Object> run = harvester.onlyRun("export:announced");
        assertThat(run.get("status")).isEqualTo("failed");
        assertThat(run.get("error")).isEqualTo("export announced failed on page 2 (" + announced.url("/orders")
                + "?page=2&size=100): the answer is 104857600 bytes (Content-Length), larger than maxResponseBytes = 1048576 bytes");
        assertThat(announced.requests(2)).isEqualTo(1);
        assertThat(harvester.outputFiles("announced")).isEmpty();
        await().until(() -> announced.streamsCut() == 1);
    }

    @Test
    void should_fail_at_the_stall_timeout_when_the_upstream_falls_silent_mid_answer() throws Exception {
        CountDownLatch silence = new CountDownLatch(1);
        stalled.stream(1, 0, body -> {
            body.write('{');
            body.flush();
            silence.await(30, TimeUnit.SECONDS);
        });
        try {
            harvester.runNow("export:stalled");
        } finally {
            silence.countDown();
        }

        Map<String, Object> run = harvester.onlyRun("export:stalled");
        assertThat(run.get("status")).isEqualTo("failed");
        assertThat(run.get("error")).isEqualTo("export stalled failed on page 1 (" + stalled.url("/orders")
                + "?page=1&size=100): the upstream sent nothing for timeoutMs = 1000 ms, 1 byte into its answer");
        assertThat(harvester.outputFiles("stalled")).isEmpty();
    }

    @Test
    void should_fail_at_the_stall_timeout_when_the_upstream_never_begins_its_answer() throws Exception {
        CountDownLatch silence = new CountDownLatch(1);
        silent.gate(silence);
        try {
            harvester.runNow("export:silent");
        } finally {
            silence.countDown();
        }

        Map<String, Object> run = harvester.onlyRun("export:silent");
        assertThat(run.get("status")).isEqualTo("failed");
        assertThat(run.get("error")).isEqualTo("export silent failed on page 1 (" + silent.url("/orders")
                + "?page=1&size=100): the upstream sent nothing for timeoutMs = 500 ms after the request");
        assertThat(harvester.outputFiles("silent")).isEmpty();
    }

    @Test
    void should_fail_an_answer_still_trickling_in_after_maxAnswerMs() throws Exception {
        slow.stream(1, 0, aByteEvery100Ms());

        harvester.runNow("export:slow");

        Map<String, Object> run = harvester.onlyRun("export:slow");
        assertThat(run.get("status")).isEqualTo("failed");
        assertThat((String) run.get("error")).matches(Pattern.quote("export slow failed on page 1 (" + slow.url("/orders")
                + "?page=1&size=100): the answer was still coming in after maxAnswerMs = 1000 ms, ") + "\\d+ bytes into it");
        assertThat(harvester.outputFiles("slow")).isEmpty();
        await().until(() -> slow.streamsCut() == 1);
    }

    @Test
    void should_fail_an_answer_whose_headers_still_trickle_in_after_maxAnswerMs() throws Exception {
        harvester.runNow("export:slowhead");

        Map<String, Object> run = harvester.onlyRun("export:slowhead");
        assertThat(run.get("status")).isEqualTo("failed");
        assertThat(run.get("error")).isEqualTo("export slowhead failed on page 1 (" + slowHead.url("/orders")
                + "?page=1&size=100): the answer's status line and headers were still coming in after maxAnswerMs = 1000 ms");
        assertThat(harvester.outputFiles("slowhead")).isEmpty();
        await().until(() -> slowHead.hungUp.get() == 1);
    }

    @Test
    void should_end_a_run_past_maxDurationMs_and_cut_off_an_answer_that_keeps_trickling() throws Exception {
        trickle.stream(1, 0, aByteEvery100Ms());

        harvester.runNow("export:trickle");

        Map<String, Object> run = harvester.onlyRun("export:trickle");
        assertThat(run.get("status")).isEqualTo("failed");
        assertThat(run.get("error")).isEqualTo("export trickle failed: took longer than maxDurationMs (1500 ms)");
        assertThat(harvester.outputFiles("trickle")).isEmpty();
        await().until(() -> trickle.streamsCut() == 1);
    }

    @Test
    void should_leave_the_breaker_closed_when_a_run_ends_with_its_pages_in_flight() throws Exception {
        for (int page = 2; page <= 10; page++) {
            cut.stream(page, 0, aByteEvery100Ms());
        }
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        ObjectName breaker = new ObjectName("io.harvester:type=breaker,kind=export,name=\"cut\"");

        harvester.runNow("export:cut");

        assertThat(harvester.onlyRun("export:cut").get("error")).isEqualTo("export cut failed: took longer than maxDurationMs (2000 ms)");
        await().until(() -> cut.streamsCut() == 9);
        // nine answers cut off by the run's end: neither failures nor successes, only page 1 counts
        assertThat(jmx.getAttribute(breaker, "State")).isEqualTo("CLOSED");
        assertThat(jmx.getAttribute(breaker, "FailedCalls")).isEqualTo(0);
        assertThat(jmx.getAttribute(breaker, "BufferedCalls")).isEqualTo(1);

        harvester.runNow("export:cut");

        assertThat(harvester.query("select status from runs where pipeline = 'export:cut' order by id"))
                .containsExactly(Map.of("status", "failed"), Map.of("status", "completed"));
        assertThat(jmx.getAttribute(breaker, "State")).isEqualTo("CLOSED");
        assertThat(jmx.getAttribute(breaker, "FailedCalls")).isEqualTo(0);
        // the test harness's window is 10 calls: run 2's ten pages fill it
        assertThat(jmx.getAttribute(breaker, "SuccessfulCalls")).isEqualTo(10);
        // the breaker Harvester's registry made keeps camel.resilience4j.* (the harness's: 5 calls, window 10)
        CircuitBreakerConfig config = breakerConfig("export:cut");
        assertThat(config.getMinimumNumberOfCalls()).isEqualTo(5);
        assertThat(config.getSlidingWindowSize()).isEqualTo(10);
        assertThat(config.getFailureRateThreshold()).isEqualTo(50f);
    }

    private static CircuitBreakerConfig breakerConfig(String pipeline) {
        return harvester.context().getRegistry().lookupByNameAndType("pipelineBreakers", PipelineBreakers.class)
                .breaker(pipeline).orElseThrow().getCircuitBreaker().getCircuitBreakerConfig();
    }

    /**
     * An upstream that sends its status line, then one header a byte every 100 ms: never silent for
     * timeoutMs, its head never done. FakeUpstream (the JDK's HTTP server) writes a head whole.
     */
    static final class SlowHead implements AutoCloseable {
        private final ServerSocket server;
        final AtomicInteger hungUp = new AtomicInteger();

        SlowHead() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread thread = new Thread(this::serve, FakeUpstream.THREAD_PREFIX + "slow-head");
            thread.setDaemon(true);
            thread.start();
        }

        String url(String path) {
            return "http://127.0.0.1:" + server.getLocalPort() + path;
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket client = server.accept()) {
                    OutputStream out = client.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    for (int i = 0; i < 300; i++) {
                        Thread.sleep(100);
                        out.write('x');
                        out.flush();
                    }
                } catch (IOException clientHungUp) {
                    if (!server.isClosed()) {
                        hungUp.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** An upstream at its own pace: a byte every 100 ms for 30 s, never silent for timeoutMs (5 s), never done in time. */
    private static FakeUpstream.BodyWriter aByteEvery100Ms() {
        return body -> {
            for (int i = 0; i < 300; i++) {
                body.write(i == 0 ? '{' : ' ');
                body.flush();
                Thread.sleep(100);
            }
        };
    }

    /** Writes {@code bytes} bytes of a JSON string's inside, a block at a time. */
    private static void filler(OutputStream body, long bytes) throws IOException {
        byte[] block = new byte[64 * 1024];
        Arrays.fill(block, (byte) 'x');
        for (long left = bytes; left > 0; left -= block.length) {
            body.write(block, 0, (int) Math.min(block.length, left));
        }
    }
}
