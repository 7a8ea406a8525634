package io.harvester.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import javax.management.ObjectName;

import io.harvester.support.DaemonScope;
import io.harvester.support.HarvesterDaemon;
import io.harvester.support.HarvesterRuntime;
import io.harvester.support.TestClock;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/** The daily generation on real PostgreSQL and Redis: exact sets, members and task_information rows. */
@HarvesterDaemon(scope = HarvesterDaemon.Scope.METHOD)
class TaskGenerationTest {

    DaemonScope daemons;
    HarvesterRuntime harvester;

    private long epoch;
    private TestClock clock;

    private void start(Instant now) {
        harvester = daemons.start("[]", Map.of());
        clock = new TestClock(now);
        harvester.context().getRegistry().lookupByNameAndType("taskGeneration", TaskGeneration.class).setClock(clock);
        epoch = now.atZone(ZoneOffset.UTC).toLocalDate().atStartOfDay(ZoneOffset.UTC).toEpochSecond();
        // the dev profile's demo rows make way for the test's own
        harvester.execute("""
                truncate task_for_keyword restart identity;
                truncate category_list_info;
                insert into task_for_keyword (keyword, market_place_code, crawl_object, frequent, ds, enabled) values
                  ('shoe', 'US', 'product_details', 0, '20260321', true),
                  ('hat', 'US', 'product_details', 1, '20260321', true),
                  ('bag', 'DE', 'product_details', 4, '20260321', true),
                  ('glove', 'US', 'product_details', 4, '20260321', true),
                  ('cap', 'DE', 'product_details', 6, '20260321', true),
                  ('sock', 'US', 'product_details', 12, '20260321', true),
                  ('belt', 'US', 'product_details', 13, '20260321', true),
                  ('scarf', 'US', 'product_details', -1, '20260321', true),
                  ('cat-1', 'US', 'category', 0, '20260321', true),
                  ('cat-9', 'US', 'category', 0, '20260321', true),
                  ('old', 'US', 'product_details', 0, '20260321', false);
                insert into category_list_info values ('cat-1', 'Shoes', 'US', 'bestsellers', 'https://example.com/c/1')""");
    }

    private RedissonClient redis() {
        return harvester.context().getRegistry().lookupByNameAndType("redisson", RedissonClient.class);
    }

    private Set<String> members(String set) {
        return new TreeSet<>(redis().<String>getSet(set, StringCodec.INSTANCE).readAll());
    }

    private Set<String> setsOfTheDay() {
        Set<String> names = new TreeSet<>();
        for (String object : List.of("product_details", "category")) {
            redis().getKeys().getKeysByPattern(object + "_" + epoch + "_*").forEach(names::add);
        }
        return names;
    }

    private Set<String> expectedNames() {
        Set<String> names = new TreeSet<>(List.of("product_details_" + epoch + "_0", "category_" + epoch + "_0"));
        for (int hour = 4; hour < 24; hour++) {
            names.add("product_details_" + epoch + "_1_" + hour);
        }
        for (int hour : new int[] {4, 8, 12, 16, 20}) {
            names.add("product_details_" + epoch + "_4_" + hour);
        }
        for (int hour : new int[] {4, 10, 16, 22}) {
            names.add("product_details_" + epoch + "_6_" + hour);
        }
        names.add("product_details_" + epoch + "_12_4");
        names.add("product_details_" + epoch + "_12_16");
        return names;
    }

    @Test
    void should_write_a_set_per_slot_with_its_row_and_reject_what_makes_no_task() {
        start(Instant.parse("2026-03-21T05:30:00Z"));

        harvester.runNow(TaskGeneration.PIPELINE);

        assertThat(harvester.query("select status, coalesce(error, '') as error from runs where pipeline = 'dispatch:generate'"))
                .containsExactly(Map.of("status", "completed", "error", ""));
        assertThat(setsOfTheDay()).isEqualTo(expectedNames());
        assertThat(members("product_details_" + epoch + "_4_8")).containsExactly(
                "{\"keyword\":\"BAG\",\"market_place_code\":\"DE\",\"ds\":\"20260321\",\"frequent\":\"hour\",\"data_hour\":\"8\"}",
                "{\"keyword\":\"GLOVE\",\"market_place_code\":\"US\",\"ds\":\"20260321\",\"frequent\":\"hour\",\"data_hour\":\"8\"}");
        assertThat(members("product_details_" + epoch + "_0")).containsExactly(
                "{\"keyword\":\"SHOE\",\"market_place_code\":\"US\",\"ds\":\"20260321\",\"frequent\":\"day\",\"data_hour\":\"0\"}");
        assertThat(members("category_" + epoch + "_0")).containsExactly("{\"category_id\":\"cat-1\",\"category_name\":\"Shoes\","
                + "\"marketplace_id\":\"US\",\"list_type\":\"bestsellers\",\"url\":\"https://example.com/c/1\",\"ds\":\"20260321\"}");

        assertThat(harvester.query("select task_source from task_information order by task_source"))
                .extracting(r -> r.get("task_source")).containsExactlyElementsOf(expectedNames());
        assertThat(harvester.query("select count(*) as n from task_information where task_status = 'Pending' and confirmed"))
                .containsExactly(Map.of("n", 33L));
        // slots already past at 05:30 are due tomorrow; the daily set is due now
        assertThat(harvester.query("select task_source, task_type, elements, to_char(task_start_time at time zone 'UTC',"
                + " 'YYYY-MM-DD HH24:MI') as due from task_information where task_source in ('product_details_" + epoch + "_1_4', "
                + "'product_details_" + epoch + "_1_6', 'product_details_" + epoch + "_0', 'product_details_" + epoch
                + "_4_8') order by task_source")).containsExactly(
                Map.of("task_source", "product_details_" + epoch + "_0", "task_type", "product_details", "elements", 1,
                        "due", "2026-03-21 05:30"),
                Map.of("task_source", "product_details_" + epoch + "_1_4", "task_type", "product_details", "elements", 1,
                        "due", "2026-03-22 04:00"),
                Map.of("task_source", "product_details_" + epoch + "_1_6", "task_type", "product_details", "elements", 1,
                        "due", "2026-03-21 06:00"),
                Map.of("task_source", "product_details_" + epoch + "_4_8", "task_type", "product_details", "elements", 2,
                        "due", "2026-03-21 08:00"));

        assertThat(harvester.query("select name, records, result::text as result from run_steps order by ordinal")).containsExactly(
                Map.of("name", "category", "records", 1L,
                        "result", "{\"sets\": 1, \"elements\": 1, \"rejected\": 1, \"generatedBefore\": 0}"),
                Map.of("name", "product_details", "records", 37L,
                        "result", "{\"sets\": 32, \"elements\": 37, \"rejected\": 2, \"generatedBefore\": 0}"));
        List<Object> rejections = new ArrayList<>(harvester.query("select message from run_logs where level = 'WARN' order by id")
                .stream().map(r -> r.get("message")).toList());
        assertThat(rejections).containsExactly(
                "task_for_keyword row 7 (keyword belt) rejected: frequent 13 is not 0 (daily) or 1 to 12 (hours between slots)",
                "task_for_keyword row 8 (keyword scarf) rejected: frequent -1 is not 0 (daily) or 1 to 12 (hours between slots)",
                "task_for_keyword row 10 (keyword cat-9) rejected: no category_list_info row for category cat-9 in US");
    }

    @Test
    void should_finish_what_a_crash_left_and_never_write_a_confirmed_set_twice() throws Exception {
        start(Instant.parse("2026-03-22T05:30:00Z"));
        String crashed = "product_details_" + epoch + "_4_8";
        String drained = "product_details_" + epoch + "_12_16";
        // a generation that died after writing its rows, before the sets: its rows are unconfirmed, no set exists
        harvester.execute("insert into task_information (task_type, task_source, task_start_time, elements, confirmed)"
                + " values ('product_details', '" + crashed + "', now(), 2, false)");

        harvester.runNow(TaskGeneration.PIPELINE);
        assertThat(members(crashed)).hasSize(2);
        assertThat(harvester.query("select count(*) as n, bool_and(confirmed) as confirmed from task_information"))
                .containsExactly(Map.of("n", 33L, "confirmed", true));

        // workers drain a set; generating again that day (here over JMX) writes nothing again
        redis().getSet(drained, StringCodec.INSTANCE).delete();
        ObjectName view = new ObjectName("io.harvester:type=dispatch,name=\"tasks\"");
        assertThat(ManagementFactory.getPlatformMBeanServer().getAttribute(view, "PendingTasks")).isEqualTo(33L);
        assertThat(ManagementFactory.getPlatformMBeanServer().invoke(view, "generateNow", new Object[0], new String[0]))
                .isEqualTo("started dispatch:generate in the background; table runs shows its run");
        await().atMost(Duration.ofSeconds(10)).until(() -> harvester.query(
                "select 1 from runs where pipeline = 'dispatch:generate' and status = 'completed'").size() == 2);
        assertThat(harvester.query("select trigger from runs where id = (select max(id) from runs)"))
                .containsExactly(Map.of("trigger", "manual"));
        assertThat(redis().getSet(drained, StringCodec.INSTANCE).isExists()).isFalse();
        assertThat(harvester.query("select count(*) as n from task_information")).containsExactly(Map.of("n", 33L));
        assertThat(harvester.query("select name, result ->> 'generatedBefore' as again from run_steps s join runs r on r.id = s.run_id"
                + " where r.id = (select max(id) from runs) order by ordinal")).containsExactly(
                Map.of("name", "category", "again", "1"), Map.of("name", "product_details", "again", "32"));
    }

    @Test
    void should_write_the_same_members_whatever_hour_the_generation_runs_at() {
        start(Instant.parse("2026-03-21T05:30:00Z"));
        harvester.runNow(TaskGeneration.PIPELINE);
        Map<String, Set<String>> morning = new TreeMap<>();
        setsOfTheDay().forEach(set -> morning.put(set, members(set)));
        // a generation that died between its sets and their confirmation: the next one writes every set again
        harvester.execute("update task_information set confirmed = false");

        clock.set(Instant.parse("2026-03-21T14:10:00Z"));
        harvester.runNow(TaskGeneration.PIPELINE);

        assertThat(harvester.query("select status from runs where pipeline = 'dispatch:generate' order by id"))
                .containsExactly(Map.of("status", "completed"), Map.of("status", "completed"));
        assertThat(members("product_details_" + epoch + "_0")).containsExactly(
                "{\"keyword\":\"SHOE\",\"market_place_code\":\"US\",\"ds\":\"20260321\",\"frequent\":\"day\",\"data_hour\":\"0\"}");
        assertThat(members("product_details_" + epoch + "_12_16")).containsExactly(
                "{\"keyword\":\"SOCK\",\"market_place_code\":\"US\",\"ds\":\"20260321\",\"frequent\":\"hour\",\"data_hour\":\"16\"}");
        Map<String, Set<String>> afternoon = new TreeMap<>();
        setsOfTheDay().forEach(set -> afternoon.put(set, members(set)));
        assertThat(afternoon).isEqualTo(morning);
    }
}
