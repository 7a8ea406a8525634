package io.harvester.runs.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import io.harvester.support.CrawlYaml;
import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.FakeUpstream.Answer;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.JobYaml;
import io.harvester.support.RunsApiClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * POST /api/runs and POST /api/runs/{id}/cancel on a real daemon: every refusal with its exact body
 * (nothing started or recorded), runs of exports, crawls and jobs started over the API, and cancels of a
 * long export, a crawl and a job step.
 */
@HarvesterDaemon
class RunControlApiTest {

    static DaemonScope daemons;
    static HarvesterRuntime harvester;
    @AutoClose
    static FakeUpstream upstream;

    private static FakeUpstream slow;
    private static FakeUpstream slowTree;
    private static FakeUpstream tree;
    private static RunsApiClient api;

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.start().total(250);
        slow = FakeUpstream.start().total(3000).latencyMs(200);
        tree = FakeUpstream.start().tree(3, 3);
        slowTree = FakeUpstream.start().tree(3, 4).latencyMs(200);
        String routes = ExportYaml.exports()
                .export("orders", upstream.url("/orders"), Map.of("pageSize", "100"))
                .export("slow", slow.url("/orders"), Map.of("pageSize", "10", "concurrency", "1"))
                .export("crowded", slow.url("/orders"), Map.of("pageSize", "10", "concurrency", "1"))
                .yaml()
                + CrawlYaml.crawl("tree", tree.url("/tree"), Map.of("depth", "3", "retries", "1")).yaml()
                + CrawlYaml.crawl("deep", slowTree.url("/tree"), Map.of("depth", "4", "maxInFlight", "1",
                        "levelConcurrency", "1,1,1,1")).yaml()
                + JobYaml.job("flaky",
                        "s1", "insert into job_effects (step) values ('s1')",
                        "s2", "insert into job_effects (step) values ('s2')",
                        "s3", "insert into job_effects (step) values ('s3')")
                + JobYaml.job("nap",
                        "first", "insert into job_effects (step) values ('first')",
                        "nap", "insert into job_effects (step) select 'nap' from pg_sleep(600)",
                        "last", "insert into job_effects (step) values ('last')")
                + JobYaml.job("wedged",
                        "wedge", "insert into job_effects (step) values ('wedge')",
                        "wedged", "insert into job_effects (step) select 'wedged' from pg_sleep(600)");
        harvester = daemons.start(routes, Map.of("harvester.jobs.flaky.cron", "",
                "harvester.jobs.nap.cron", "", "harvester.jobs.wedged.cron", "", "harvester.jobs.wedged.max-duration", "1s"));
        harvester.execute("create table job_effects (step text not null)");
        api = new RunsApiClient(harvester);
    }

    @AfterAll
    static void stopOthers() {
        slow.close();
        tree.close();
        slowTree.close();
    }

    private static Map<String, Object> run(long id) {
        return harvester.query("select pipeline, status, trigger, error from runs where id = " + id).get(0);
    }

    private static void awaitEnd(long id, String status) {
        await().atMost(Duration.ofSeconds(30)).until(() -> run(id).get("status"), status::equals);
    }

    private static List<String> steps(long id) {
        return harvester.query("select ordinal, name, status from run_steps where run_id = " + id + " order by ordinal")
                .stream().map(r -> r.get("ordinal") + " " + r.get("name") + " " + r.get("status")).toList();
    }

    @Test
    void should_refuse_bad_starts_naming_the_field_and_start_nothing() throws Exception {
        long runsBefore = (Long) harvester.query("select count(*) as n from runs").get(0).get("n");

        Map<String, String> refusals = new LinkedHashMap<>();
        refusals.put("{\"pipeline\": \"export:ordrs\"}",
                "400 {\"error\":\"no pipeline named 'export:ordrs' (did you mean 'export:orders'?) (pipelines: [crawl:deep,"
                        + " crawl:tree, dispatch:generate, dispatch:sweep, export:crowded, export:orders, export:slow, job:flaky, job:nap,"
                        + " job:wedged, system:retention])\",\"field\":\"pipeline\"}");
        refusals.put("{\"mode\": \"complete\"}",
                "400 {\"error\":\"pipeline is required, e.g. \\\"export:orders\\\"\",\"field\":\"pipeline\"}");
        refusals.put("{\"pipeline\": \"job:flaky\", \"mode\": \"single\", \"step\": \"s9\"}",
                "400 {\"error\":\"job:flaky has no step 's9' (did you mean 's1'?) (steps: [s1, s2, s3])\","
                        + "\"field\":\"step\"}");
        refusals.put("{\"pipeline\": \"job:flaky\", \"mode\": \"complete\", \"step\": \"s1\"}",
                "400 {\"error\":\"a step is only given with mode single; mode complete runs every step\","
                        + "\"field\":\"step\"}");
        refusals.put("{\"pipeline\": \"job:flaky\", \"mode\": \"single\"}",
                "400 {\"error\":\"mode single needs the step to run\",\"field\":\"step\"}");
        refusals.put("{\"pipeline\": \"job:flaky\", \"mode\": \"all\"}",
                "400 {\"error\":\"mode must be 'complete' or 'single', was 'all'\",\"field\":\"mode\"}");
        refusals.put("{\"pipeline\": \"export:orders\", \"mode\": \"single\", \"step\": \"fetch\"}",
                "400 {\"error\":\"mode single runs one step of a job; export:orders is not a job\",\"field\":\"mode\"}");
        refusals.put("{\"pipeline\": \"export:orders\", \"params\": {\"since\": \"2024\"}}",
                "400 {\"error\":\"export:orders takes no parameter 'since'\",\"field\":\"params.since\"}");
        refusals.put("{\"pipeline\": \"crawl:tree\", \"params\": {\"depth\": 1}}",
                "400 {\"error\":\"crawl:tree takes no parameter 'depth' (crawls take: retryFailed)\","
                        + "\"field\":\"params.depth\"}");
        refusals.put("{\"pipeline\": \"crawl:tree\", \"params\": {\"retryFailed\": true}}",
                "409 {\"error\":\"nothing to retry: the newest finished run of crawl:tree is not partial\","
                        + "\"field\":\"params.retryFailed\"}");
        refusals.put("{\"pipeline\": \"export:orders\", \"when\": \"now\"}",
                "400 {\"error\":\"unknown field 'when' (fields: pipeline, mode, step, params)\",\"field\":\"when\"}");
        refusals.put("[\"export:orders\"]",
                "400 {\"error\":\"the body must be a JSON object: {\\\"pipeline\\\": \\\"...\\\", \\\"mode\\\": \\\"complete\\\"}\"}");
        refusals.forEach((request, answer) -> assertThat(post(request)).as(request).isEqualTo(answer));

        assertThat(harvester.query("select count(*) as n from runs").get(0).get("n")).as("nothing started or recorded")
                .isEqualTo(runsBefore);
    }

    @Test
    void should_start_an_export_recording_the_api_trigger() throws Exception {
        long id = api.start("{\"pipeline\": \"export:orders\", \"mode\": \"complete\"}");

        awaitEnd(id, "completed");
        assertThat(run(id)).containsEntry("pipeline", "export:orders").containsEntry("trigger", "api");
        assertThat(steps(id)).containsExactly("1 fetch completed", "2 publish completed");
        assertThat(harvester.query("select rows from run_outputs where \"primary\" and run_id = " + id)).containsExactly(Map.of("rows", 250L));
    }

    @Test
    void should_start_a_crawl_and_retry_only_the_failed_subtrees_of_a_partial_one() throws Exception {
        tree.scriptNode("2", Answer.status(500), Answer.status(500));
        long partial = api.start("{\"pipeline\": \"crawl:tree\"}");
        awaitEnd(partial, "partial");
        assertThat(run(partial)).containsEntry("trigger", "api");
        tree.resetCounters();

        long retry = api.start("{\"pipeline\": \"crawl:tree\", \"params\": {\"retryFailed\": true}}");

        awaitEnd(retry, "completed");
        assertThat(harvester.query("select resumed_from from runs where id = " + retry).get(0))
                .containsEntry("resumed_from", partial);
        assertThat(tree.lookupCounts()).as("only the failed node is looked up again, with its subtree")
                .containsOnlyKeys("2", "2-1", "2-2", "2-3");
        assertThat(harvester.query("select rows from run_outputs where \"primary\" and run_id = " + retry).get(0))
                .as("the published tree is whole again").containsEntry("rows", 39L);
    }

    @Test
    void should_run_every_step_of_a_job_or_only_the_one_asked_for() throws Exception {
        long complete = api.start("{\"pipeline\": \"job:flaky\", \"mode\": \"complete\"}");
        awaitEnd(complete, "completed");
        assertThat(steps(complete)).containsExactly("1 s1 completed", "2 s2 completed", "3 s3 completed");

        long single = api.start("{\"pipeline\": \"job:flaky\", \"mode\": \"single\", \"step\": \"s2\"}");

        awaitEnd(single, "completed");
        assertThat(steps(single)).containsExactly("2 s2 completed");
        assertThat(run(single)).containsEntry("trigger", "api");
        assertThat(harvester.query("select params->>'step' as step from runs where id = " + single).get(0))
                .containsEntry("step", "s2");
    }

    @Test
    void should_refuse_a_second_start_while_live_and_cancel_a_long_export_publishing_nothing() throws Exception {
        long id = api.start("{\"pipeline\": \"export:slow\"}");
        await().until(() -> slow.requests() >= 2);

        assertThat(api.post("/api/runs", "{\"pipeline\": \"export:slow\"}"))
                .isEqualTo("409 {\"error\":\"pipeline export:slow is running: run " + id + "\",\"field\":\"pipeline\"}");
        assertThat(api.post("/api/runs/" + id + "/cancel", "")).isEqualTo("200 {\"id\":" + id + ",\"status\":\"cancelled\"}");

        assertThat(run(id)).containsEntry("status", "cancelled").containsEntry("error", "cancelled over the API");
        assertThat(harvester.query("select count(*) as n from runs where pipeline = 'export:slow'").get(0))
                .as("the refused start recorded nothing").containsEntry("n", 1L);
        assertThat(steps(id)).containsExactly("1 fetch cancelled");
        assertThat(harvester.csvFiles("slow")).isEmpty();
        assertThat(temporaryFiles("slow")).isEmpty();
        int requests = slow.requests();
        Thread.sleep(1000);
        assertThat(slow.requests()).as("no page is requested after the cancel but those in flight").isLessThanOrEqualTo(requests + 1);
        assertThat(api.post("/api/runs/" + id + "/cancel", ""))
                .isEqualTo("409 {\"error\":\"run " + id + " already ended: cancelled\"}");
    }

    @Test
    void should_answer_a_stopped_pipeline_409_naming_it_stopped_and_record_nothing() throws Exception {
        harvester.context().getRouteController().stopRoute("export-orders");
        try {
            long runsBefore = (Long) harvester.query("select count(*) as n from runs").get(0).get("n");

            assertThat(post("{\"pipeline\": \"export:orders\"}"))
                    .isEqualTo("409 {\"error\":\"pipeline export:orders is stopped\",\"field\":\"pipeline\"}");

            assertThat(harvester.query("select count(*) as n from runs").get(0)).containsEntry("n", runsBefore);
        } finally {
            harvester.context().getRouteController().startRoute("export-orders");
        }
    }

    @Test
    void should_answer_twenty_concurrent_starts_with_one_run_and_nineteen_409s_recording_one_row() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(20);
        List<String> answers = new ArrayList<>();
        try {
            CountDownLatch ready = new CountDownLatch(20);
            List<Callable<String>> starts = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                starts.add(() -> {
                    // all twenty leave together, so they race for the run rather than queue behind it
                    ready.countDown();
                    ready.await();
                    return post("{\"pipeline\": \"export:crowded\"}");
                });
            }
            for (Future<String> answer : clients.invokeAll(starts)) {
                answers.add(answer.get());
            }
        } finally {
            clients.shutdown();
        }

        List<Map<String, Object>> rows = harvester.query("select id, status from runs where pipeline = 'export:crowded'");
        assertThat(rows).hasSize(1);
        long id = (Long) rows.get(0).get("id");
        assertThat(rows.get(0)).containsEntry("status", "running");
        assertThat(answers).filteredOn(a -> a.startsWith("202"))
                .containsExactly("202 {\"id\":" + id + ",\"url\":\"/api/runs/" + id + "\"}");
        assertThat(answers).filteredOn(a -> !a.startsWith("202")).hasSize(19)
                .containsOnly("409 {\"error\":\"pipeline export:crowded is running: run " + id + "\",\"field\":\"pipeline\"}");
        assertThat(api.post("/api/runs/" + id + "/cancel", "")).isEqualTo("200 {\"id\":" + id + ",\"status\":\"cancelled\"}");
        assertThat(harvester.query("select count(*) as n from runs where pipeline = 'export:crowded'").get(0))
                .containsEntry("n", 1L);
    }

    @Test
    void should_cancel_a_crawl() throws Exception {
        long id = api.start("{\"pipeline\": \"crawl:deep\"}");
        await().until(() -> slowTree.lookupCounts().size() >= 2);

        assertThat(api.post("/api/runs/" + id + "/cancel", "")).isEqualTo("200 {\"id\":" + id + ",\"status\":\"cancelled\"}");

        assertThat(run(id)).containsEntry("status", "cancelled").containsEntry("error", "cancelled over the API");
        assertThat(harvester.csvFiles("deep")).isEmpty();
        assertThat(temporaryFiles("deep")).isEmpty();
    }

    @Test
    void should_cancel_a_job_step_through_its_connection() throws Exception {
        long id = api.start("{\"pipeline\": \"job:nap\"}");
        await().until(() -> steps(id).contains("2 nap running"));

        assertThat(api.post("/api/runs/" + id + "/cancel", "")).isEqualTo("200 {\"id\":" + id + ",\"status\":\"cancelled\"}");

        assertThat(run(id)).containsEntry("status", "cancelled").containsEntry("error", "cancelled over the API");
        assertThat(steps(id)).containsExactly("1 first completed", "2 nap cancelled", "3 last pending");
        assertThat(harvester.query("select count(*) as n from pg_stat_activity where query like '%pg_sleep(600)%'"
                + " and state = 'active' and pid <> pg_backend_pid()").get(0)).as("its statement was cancelled")
                .containsEntry("n", 0L);
    }

    @Test
    void should_refuse_a_start_beside_a_healthy_job_run_recording_nothing() throws Exception {
        long id = api.start("{\"pipeline\": \"job:nap\"}");
        await().until(() -> steps(id).contains("2 nap running"));

        assertThat(api.post("/api/runs", "{\"pipeline\": \"job:nap\"}"))
                .isEqualTo("409 {\"error\":\"pipeline job:nap is running: run " + id + "\",\"field\":\"pipeline\"}");

        assertThat(harvester.query("select count(*) as n from runs where pipeline = 'job:nap' and id > " + id).get(0))
                .containsEntry("n", 0L);
        assertThat(api.post("/api/runs/" + id + "/cancel", "")).isEqualTo("200 {\"id\":" + id + ",\"status\":\"cancelled\"}");
    }

    @Test
    void should_cancel_a_stuck_job_run_and_start_anew_when_started_over_the_api() throws Exception {
        long stuck = api.start("{\"pipeline\": \"job:wedged\"}");
        await().until(() -> !harvester.query("select 1 from runs where id = " + stuck + " and status = 'running'"
                + " and current_step = 'wedged' and started_at < now() - interval '1200 milliseconds'").isEmpty());

        long fresh = api.start("{\"pipeline\": \"job:wedged\"}");

        assertThat(run(stuck).get("status")).isEqualTo("abandoned");
        assertThat((String) run(stuck).get("error")).startsWith("abandoned: stuck (running for ")
                .endsWith(" s, max-duration PT1S); cancelled by a manual start");
        assertThat(steps(stuck)).containsExactly("1 wedge completed", "2 wedged cancelled");
        assertThat(harvester.query("select id, trigger, resumed_from from runs where pipeline = 'job:wedged' and id <> " + stuck))
                .containsExactly(Map.of("id", fresh, "trigger", "api", "resumed_from", stuck));
        await().until(() -> steps(fresh).contains("2 wedged running"));
        assertThat(steps(fresh)).containsExactly("1 wedge skipped", "2 wedged running");
        assertThat(api.post("/api/runs/" + fresh + "/cancel", "")).isEqualTo("200 {\"id\":" + fresh + ",\"status\":\"cancelled\"}");
    }

    @Test
    void should_answer_404_for_an_unknown_run() throws Exception {
        assertThat(api.post("/api/runs/999999/cancel", "")).isEqualTo("404 {\"error\":\"no run 999999\"}");
        assertThat(api.post("/api/runs/abc/cancel", "")).isEqualTo("404 {\"error\":\"no run abc\"}");
    }

    private static String post(String request) {
        try {
            return api.post("/api/runs", request);
        } catch (Exception e) {
            throw new IllegalStateException(request, e);
        }
    }

    /** Temporary CSV files left in an export's or a crawl's folder. */
    private static List<Path> temporaryFiles(String name) throws Exception {
        Path dir = harvester.outputDir().resolve(name);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }
}
