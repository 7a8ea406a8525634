package io.harvester.paging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.FakeUpstream.Answer;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.RunsApiClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tokens from the environment, in a header or in the URL, reach the upstream and nowhere else. */
@HarvesterDaemon
class PagedExportSecretTest {

    static DaemonScope daemons;
    static HarvesterRuntime harvester;
    @AutoClose
    static FakeUpstream upstream;

    /** Set for the test JVM by the surefire configuration in pom.xml. */
    static final String TOKEN = System.getenv("HARVESTER_TEST_TOKEN");

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.start().total(300);
        harvester = daemons.start(ExportYaml.exports()
                .export("secured", upstream.url("/orders"), Map.of("pageSize", "100", "retries", "1",
                        "headers", "Authorization: Bearer {{env:HARVESTER_TEST_TOKEN}}; X-Client: harvester"))
                .export("keyed", upstream.url("/orders") + "?api_key={{env:HARVESTER_TEST_TOKEN}}",
                        Map.of("pageSize", "100", "retries", "0"))
                .export("elsewhere", upstream.url("/orders") + "?api_key={{env:HARVESTER_TEST_TOKEN}}",
                        Map.of("pageSize", "100", "retries", "0", "overridable", "url")), Map.of());
    }

    @Test
    void should_mask_a_key_in_a_url_a_start_gave() throws Exception {
        upstream.resetCounters();
        String given = upstream.url("/orders") + "?api_key=" + TOKEN + "&region=eu";

        long run = new RunsApiClient(harvester).start("{\"pipeline\": \"export:elsewhere\", \"params\": {\"url\": \"" + given + "\"}}");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> !harvester.query(
                "select 1 from runs where id = " + run + " and finished_at is not null").isEmpty());

        assertThat(upstream.requestUris()).anyMatch(uri -> uri.contains("api_key=" + TOKEN + "&region=eu&page=1"));
        assertThat(harvester.query("select status, params #>> '{given,url}' as url from runs where id = " + run))
                .containsExactly(Map.of("status", "completed", "url", upstream.url("/orders") + "?api_key=xxxxxx&region=eu"));
        assertThat(everythingStored()).doesNotContain(TOKEN);
        assertThat(new RunsApiClient(harvester).get("/api/runs/" + run)).contains("api_key=xxxxxx").doesNotContain(TOKEN);
    }

    @Test
    void should_send_the_token_but_never_log_or_store_it() throws Exception {
        assertThat(TOKEN).isNotBlank();
        upstream.resetCounters();
        upstream.script(2, Answer.status(500), Answer.status(500));

        harvester.runNow("export:secured");

        assertThat(upstream.requestHeaders()).isNotEmpty().allSatisfy(headers -> {
            assertThat(headers).containsEntry("authorization", "Bearer " + TOKEN).containsEntry("x-client", "harvester");
            assertThat(headers.keySet()).noneMatch(h -> h.startsWith("camel") || h.equals("harvestertrigger"));
        });
        String stored = harvester.query("""
                select coalesce(string_agg(t::text, '|'), '') as text from (
                    select row_to_json(r)::text as t from runs r
                    union all select row_to_json(s)::text from run_steps s
                    union all select row_to_json(l)::text from run_logs l
                    union all select row_to_json(o)::text from run_outputs o) rows""").get(0).get("text").toString();
        assertThat(stored).contains("export secured failed on page 2").doesNotContain(TOKEN);
        String log = Files.readString(Path.of(System.getProperty("harvester.log-dir"), "harvester.log"));
        assertThat(log).contains("export secured failed on page 2").doesNotContain(TOKEN);
    }

    @Test
    void should_send_a_key_in_the_url_but_never_log_or_store_it() throws Exception {
        upstream.resetCounters();
        upstream.script(3, Answer.status(503));

        harvester.runNow("export:keyed");

        assertThat(upstream.requestUris()).anyMatch(uri -> uri.contains("api_key=" + TOKEN + "&page=1"));
        Map<String, Object> run = harvester.query("select params::text as params, error from runs where pipeline = 'export:keyed'").get(0);
        assertThat((String) run.get("error")).startsWith("export keyed failed on page 3 (" + upstream.url("/orders")
                + "?api_key=xxxxxx&page=3&size=100): HTTP 503");
        assertThat((String) run.get("params")).contains("api_key=xxxxxx").doesNotContain(TOKEN);
        assertThat(everythingStored()).contains("api_key=xxxxxx").doesNotContain(TOKEN);
        String log = Files.readString(Path.of(System.getProperty("harvester.log-dir"), "harvester.log"));
        assertThat(log).contains("export keyed failed on page 3").contains("api_key=xxxxxx").doesNotContain(TOKEN);
    }

    @Test
    void should_name_where_a_redirect_pointed_with_the_key_masked() throws Exception {
        upstream.resetCounters();
        upstream.script(2, new Answer(302, "", Map.of("Location", "https://elsewhere.example.com/orders?api_key=" + TOKEN)));

        harvester.runNow("export:keyed");

        Map<String, Object> run = harvester.query("select error from runs where pipeline = 'export:keyed' order by id desc").get(0);
        assertThat((String) run.get("error")).contains("HTTP 302")
                .endsWith("redirecting to https://elsewhere.example.com/orders?api_key=xxxxxx (redirects are not followed)");
        assertThat(everythingStored()).doesNotContain(TOKEN);
    }

    private static String everythingStored() {
        return harvester.query("""
                select coalesce(string_agg(t::text, '|'), '') as text from (
                    select row_to_json(r)::text as t from runs r
                    union all select row_to_json(s)::text from run_steps s
                    union all select row_to_json(l)::text from run_logs l
                    union all select row_to_json(o)::text from run_outputs o) rows""").get(0).get("text").toString();
    }
}
