package io.harvester.dispatch;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which task sets a day's keyword rows make (pure; {@link TaskGeneration} writes them). Rows are grouped
 * by crawl object and frequency: frequency 0 is one set due now, {@code 1 ≤ f ≤ 12} one set per slot hour
 * {@code firstHour, firstHour + f, …} below 24, due at that hour today or tomorrow when it has passed.
 * Set names are {@code {crawl_object}_{epoch}_0} and {@code {crawl_object}_{epoch}_{f}_{hour}}, the epoch
 * being the day's midnight: generating twice on one day names the same sets.
 */
public final class TaskPlan {

    public static final String PRODUCT_DETAILS = "product_details";
    public static final String CATEGORY = "category";
    /** A daily element's data_hour, whatever hour the generation runs at. */
    static final String DAILY_HOUR = "0";

    /** A row of task_for_keyword. */
    public record Keyword(long id, String keyword, String market, String crawlObject, int frequent, String ds) {
    }

    /** A row of category_list_info. */
    public record Category(String id, String name, String marketplace, String listType, String url) {
    }

    /** A set to write: its name, crawl object, due time and members (JSON texts). */
    public record TaskSet(String name, String crawlObject, Instant due, List<Map<String, Object>> elements) {
    }

    /** A row that makes no task, and why. */
    public record Rejected(Keyword row, String reason) {
    }

    public record Result(List<TaskSet> sets, List<Rejected> rejected) {
    }

    private TaskPlan() {
    }

    /**
     * @param categories category_list_info rows by "category_id|marketplace_id"
     */
    public static Result plan(List<Keyword> rows, Map<String, Category> categories, Instant now, ZoneId zone, int firstHour) {
        ZonedDateTime at = now.atZone(zone);
        LocalDate day = at.toLocalDate();
        long epoch = day.atStartOfDay(zone).toEpochSecond();
        Map<String, TaskSet> sets = new LinkedHashMap<>();
        List<Rejected> rejected = new ArrayList<>();
        for (Keyword row : rows) {
            if (!PRODUCT_DETAILS.equals(row.crawlObject()) && !CATEGORY.equals(row.crawlObject())) {
                rejected.add(new Rejected(row, "unknown crawl object '" + row.crawlObject() + "' (known: "
                        + PRODUCT_DETAILS + ", " + CATEGORY + ")"));
                continue;
            }
            if (row.frequent() < 0 || row.frequent() > 12) {
                rejected.add(new Rejected(row, "frequent " + row.frequent() + " is not 0 (daily) or 1 to 12 (hours between slots)"));
                continue;
            }
            Category category = null;
            if (CATEGORY.equals(row.crawlObject())) {
                category = categories.get(row.keyword() + "|" + row.market());
                if (category == null) {
                    rejected.add(new Rejected(row, "no category_list_info row for category " + row.keyword() + " in "
                            + row.market()));
                    continue;
                }
            }
            if (row.frequent() == 0) {
                String name = row.crawlObject() + "_" + epoch + "_0";
                add(sets, name, row.crawlObject(), now, element(row, category, DAILY_HOUR));
            } else {
                for (int hour = firstHour; hour < 24; hour += row.frequent()) {
                    ZonedDateTime due = day.atTime(hour, 0).atZone(zone);
                    if (due.toInstant().isBefore(now)) {
                        due = due.plusDays(1);
                    }
                    String name = row.crawlObject() + "_" + epoch + "_" + row.frequent() + "_" + hour;
                    add(sets, name, row.crawlObject(), due.toInstant(), element(row, category, String.valueOf(hour)));
                }
            }
        }
        return new Result(List.copyOf(sets.values()), rejected);
    }

    private static void add(Map<String, TaskSet> sets, String name, String crawlObject, Instant due, Map<String, Object> element) {
        sets.computeIfAbsent(name, n -> new TaskSet(n, crawlObject, due, new ArrayList<>())).elements().add(element);
    }

    /**
     * The element format is the crawl fleet's (docs/dispatch.md): {@code data_hour} is a string, the
     * slot hour of an hourly set and "0" for a daily one, so a member depends on the day alone and a daily
     * set written again at another hour gets no second member for the same keyword.
     */
    private static Map<String, Object> element(Keyword row, Category category, String dataHour) {
        Map<String, Object> element = new LinkedHashMap<>();
        if (category == null) {
            element.put("keyword", row.keyword().toUpperCase(Locale.ROOT));
            element.put("market_place_code", row.market());
            element.put("ds", row.ds());
            element.put("frequent", row.frequent() == 0 ? "day" : "hour");
            element.put("data_hour", dataHour);
        } else {
            element.put("category_id", category.id());
            element.put("category_name", category.name());
            element.put("marketplace_id", category.marketplace());
            element.put("list_type", category.listType());
            element.put("url", category.url());
            element.put("ds", row.ds());
        }
        return element;
    }
}
