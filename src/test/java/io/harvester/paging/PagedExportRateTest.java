package io.harvester.paging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.harvester.support.DaemonScope;
import io.harvester.support.ExportYaml;
import io.harvester.support.FakeUpstream;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.OrderRecords;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An export keeps to its ratePerSecond, and waits for the reset when the API says its budget is used up. */
@HarvesterDaemon
class PagedExportRateTest {

    static DaemonScope daemons;
    static HarvesterRuntime harvester;
    @AutoClose
    static FakeUpstream budget;
    @AutoClose
    static FakeUpstream paced;

    @BeforeAll
    static void start() {
        budget = FakeUpstream.start().total(100);
        paced = FakeUpstream.start().total(250);
        harvester = daemons.start(ExportYaml.exports()
                .export("budget", budget.url("/orders"), Map.of("pageSize", "50", "concurrency", "5"))
                .export("paced", paced.url("/orders"), Map.of("pageSize", "50", "concurrency", "5", "ratePerSecond", "5")).yaml(), Map.of());
    }

    @Test
    void should_send_nothing_before_the_reset_when_the_api_says_its_budget_is_used_up() throws Exception {
        // page 1 answers as usual, and says nothing is left until 2 s from now
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("total", 100);
        List<Object> records = new ArrayList<>();
        for (long id = 1; id <= 50; id++) {
            records.add(OrderRecords.record(id));
        }
        first.put("list", records);
        budget.script(1, new FakeUpstream.Answer(200, new ObjectMapper().writeValueAsString(first),
                Map.of("Content-Type", "application/json", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "2")));

        harvester.runNow("export:budget");

        long gapMillis = (budget.requestTimes(2).get(0) - budget.requestTimes(1).get(0)) / 1_000_000;
        assertThat(gapMillis).as("page 2 asked after the reset").isGreaterThanOrEqualTo(2000);
        assertThat(budget.requests()).as("each page once, no 429 earned").isEqualTo(2);
        assertThat(harvester.onlyCsv("budget")).isEqualTo(OrderRecords.csv(100));
    }

    @Test
    void should_start_at_most_rate_per_second_page_requests() throws Exception {
        harvester.runNow("export:paced");
        List<Long> starts = new ArrayList<>();
        for (int page = 1; page <= 5; page++) {
            starts.add(paced.requestTimes(page).get(0));
        }
        starts.sort(Long::compare);
        // 5 a second, timed where the requests arrive (a new connection's setup moves one by tens of ms): 4 spacings of
        // 200 ms from the first to the fifth, none of them near 0 (concurrency 5 alone would send four at once)
        assertThat((starts.get(4) - starts.get(0)) / 1_000_000).as("first to fifth start, ms").isGreaterThanOrEqualTo(700);
        for (int i = 1; i < starts.size(); i++) {
            assertThat((starts.get(i) - starts.get(i - 1)) / 1_000_000).as("gap before start " + (i + 1)).isGreaterThanOrEqualTo(50);
        }
        assertThat(harvester.onlyCsv("paced")).isEqualTo(OrderRecords.csv(250));
    }
}
