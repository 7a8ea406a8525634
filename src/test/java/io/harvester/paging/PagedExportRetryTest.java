package io.harvester.paging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.FakeUpstream.Answer;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.OrderRecords;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Retries: 5xx and 429 pages recover, exactly 1 + retries attempts, timeouts fail without piling up threads. */
@HarvesterDaemon
class PagedExportRetryTest {

    static DaemonScope daemons;
    static HarvesterRuntime harvester;
    @AutoClose
    static FakeUpstream upstream;

    static FakeUpstream slow;

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.start().total(1000);
        slow = FakeUpstream.start().total(1000).latencyMs(1500);
        ExportYaml exports = ExportYaml.exports()
                .export("flaky", upstream.url("/orders"), Map.of("pageSize", "100", "concurrency", "4"))
                .export("broken", upstream.url("/orders"), Map.of("pageSize", "100", "retries", "2"))
                .export("notfound", upstream.url("/orders"), Map.of("pageSize", "100", "retries", "5"))
                .export("slow", slow.url("/orders"), Map.of("pageSize", "100", "retries", "1", "timeoutMs", "200"));
        // a breaker that never opens here: this class is about retries and timeouts, every call must be sent
        harvester = daemons.start(exports, Map.of("camel.resilience4j.minimum-number-of-calls", "100",
                "camel.resilience4j.sliding-window-size", "100"));
    }

    @AfterAll
    static void stopSlow() {
        slow.close();
    }

    @Test
    void should_complete_when_a_page_fails_twice_and_another_is_rate_limited() throws Exception {
        upstream.resetCounters();
        upstream.script(3, Answer.status(500), Answer.status(503))
                .script(5, new Answer(429, "{}", Map.of("Retry-After", "1")));

        harvester.runNow("export:flaky");

        assertThat(harvester.onlyCsv("flaky")).isEqualTo(OrderRecords.csv(1000));
        assertThat(upstream.requests(3)).isEqualTo(3);
        assertThat(upstream.requests(5)).isEqualTo(2);
        List<Long> times = upstream.requestTimes(5);
        assertThat(TimeUnit.NANOSECONDS.toMillis(times.get(1) - times.get(0))).isGreaterThanOrEqualTo(1000);
        assertThat(upstream.requests()).isEqualTo(10 + 2 + 1);
        assertThat(harvester.query("select status from runs where pipeline = 'export:flaky'"))
                .containsExactly(Map.of("status", "completed"));
    }

    @Test
    void should_request_a_page_that_always_fails_exactly_one_plus_retries_times() throws Exception {
        upstream.resetCounters();
        upstream.script(2, Answer.status(500), Answer.status(500), Answer.status(500));

        harvester.runNow("export:broken");

        assertThat(upstream.requests(2)).isEqualTo(3);
        Map<String, Object> run = harvester.query("select status, error from runs where pipeline = 'export:broken'").get(0);
        assertThat(run.get("status")).isEqualTo("failed");
        assertThat((String) run.get("error")).startsWith("export broken failed on page 2 (" + upstream.url("/orders"))
                .contains("HTTP 500");
        assertThat(harvester.outputFiles("broken")).as("no CSV, no temporary file (the run's log is in runs/)").isEmpty();
    }

    @Test
    void should_fail_fast_on_a_client_error_other_than_429() {
        upstream.resetCounters();
        upstream.script(1, Answer.status(404));

        harvester.runNow("export:notfound");

        assertThat(upstream.requests(1)).isEqualTo(1);
        assertThat((String) harvester.query("select error from runs where pipeline = 'export:notfound'").get(0).get("error"))
                .contains("page 1").contains("HTTP 404");
    }

    @Test
    void should_count_a_slow_upstream_as_failed_and_keep_the_thread_count_flat() {
        harvester.runNow("export:slow");
        long threadsAfterFirst = harvesterThreads();
        for (int i = 0; i < 10; i++) {
            harvester.runNow("export:slow");
        }
        long threadsAfterMany = harvesterThreads();

        List<Map<String, Object>> runs = harvester.query("select status, error from runs where pipeline = 'export:slow' order by id");
        assertThat(runs).hasSize(11).allSatisfy(run -> assertThat(run.get("status")).isEqualTo("failed"));
        assertThat(runs).allSatisfy(run -> assertThat(run.get("error")).isEqualTo("export slow failed on page 1 ("
                + slow.url("/orders") + "?page=1&size=100): the upstream sent nothing for timeoutMs = 200 ms after the request"));
        assertThat(slow.requests()).as("every run sent its first attempt and its one retry").isEqualTo(11 * 2);
        assertThat(threadsAfterMany).isLessThanOrEqualTo(threadsAfterFirst + 2);
    }

    /**
     * Threads that a run could leak. The Redis client's and the HTTP server's event loops are left out:
     * they grow lazily up to a fixed size with whatever else the daemon does meanwhile (the status queue,
     * the delayed-task timers), not with runs.
     */
    private static long harvesterThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .map(Thread::getName)
                .filter(name -> !name.startsWith(FakeUpstream.THREAD_PREFIX) && !name.startsWith("redisson-")
                        && !name.startsWith("vert.x-"))
                .count();
    }
}
