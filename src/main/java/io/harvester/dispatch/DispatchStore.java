package io.harvester.dispatch;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.harvester.runs.RunSql;

/** The dispatch tables' reads and writes; a set-based statement each, whatever the number of tasks. */
final class DispatchStore {

    private final RunSql sql;

    DispatchStore(RunSql sql) {
        this.sql = sql;
    }

    List<TaskPlan.Keyword> enabledKeywords() {
        return sql.queryRows("""
                select id, keyword, market_place_code, crawl_object, frequent, ds
                from task_for_keyword where enabled order by id""").stream()
                .map(r -> new TaskPlan.Keyword((Long) r[0], (String) r[1], (String) r[2], (String) r[3], (Integer) r[4],
                        (String) r[5]))
                .toList();
    }

    /** category_list_info by "category_id|marketplace_id". */
    Map<String, TaskPlan.Category> categories() {
        Map<String, TaskPlan.Category> categories = new LinkedHashMap<>();
        for (Object[] r : sql.queryRows("select category_id, category_name, marketplace_id, list_type, url from category_list_info")) {
            TaskPlan.Category category = new TaskPlan.Category((String) r[0], (String) r[1], (String) r[2], (String) r[3],
                    (String) r[4]);
            categories.put(category.id() + "|" + category.marketplace(), category);
        }
        return categories;
    }

    /** Which of these sets were written and confirmed by an earlier generation. */
    Set<String> confirmed(List<String> names) {
        Set<String> confirmed = new HashSet<>();
        sql.queryRows("select task_source from task_information where task_source = any (?) and confirmed",
                (Object) names.toArray(String[]::new)).forEach(r -> confirmed.add((String) r[0]));
        return confirmed;
    }

    /** A Pending row per set, not confirmed yet; a row a crashed generation left is kept as it is. How many are new. */
    int insertUnconfirmed(List<TaskPlan.TaskSet> sets) {
        return sql.update("""
                insert into task_information (task_type, task_source, task_start_time, task_status, elements, confirmed)
                select t.type, t.source, to_timestamp(t.due / 1000.0), 'Pending', t.elements, false
                from unnest(?::text[], ?::text[], ?::bigint[], ?::int[]) as t(type, source, due, elements)
                on conflict (task_source) do nothing""",
                sets.stream().map(TaskPlan.TaskSet::crawlObject).toArray(String[]::new),
                sets.stream().map(TaskPlan.TaskSet::name).toArray(String[]::new),
                sets.stream().map(s -> s.due().toEpochMilli()).toArray(Long[]::new),
                sets.stream().map(s -> s.elements().size()).toArray(Integer[]::new));
    }

    /**
     * Rows a dead generation left unconfirmed whose set is not one of today's (their day has passed, or
     * their keyword row is gone): nobody will write that set now. They become Failed; their names.
     */
    List<String> failUnplanned(List<String> planned) {
        return sql.queryRows("""
                update task_information set task_status = 'Failed'
                where not confirmed and task_status = 'Pending' and task_source <> all (?)
                returning task_source""", (Object) planned.toArray(String[]::new)).stream().map(r -> (String) r[0]).toList();
    }

    /**
     * Unconfirmed Pending rows older than any generation takes: unless a generation is live (the caller asks
     * the run model), a generation died between its rows and its sets.
     */
    long unconfirmedOld() {
        return sql.queryId("""
                select count(*) from task_information
                where not confirmed and task_status = 'Pending' and create_at < now() - interval '2 minutes'""")
                .orElse(0L);
    }

    /** The sets are in Redis: their rows say so. */
    void confirm(List<String> names) {
        sql.update("update task_information set confirmed = true where task_source = any (?)", (Object) names.toArray(String[]::new));
    }

    /** An In Progress task: its set, its size at the last sweep and for how long that size has held. */
    record Open(long id, String source, Integer lastSize, double unchangedSeconds) {
    }

    /** Confirmed Pending tasks whose start time has come are In Progress now; how many. */
    int startDue() {
        return sql.update("""
                update task_information set task_status = 'In Progress', size_changed_at = now()
                where task_status = 'Pending' and confirmed and task_start_time <= now()""");
    }

    List<Open> inProgress() {
        return sql.queryRows("""
                select task_id, task_source, last_size,
                       extract(epoch from now() - coalesce(size_changed_at, task_start_time))::float8
                from task_information where task_status = 'In Progress' order by task_id""").stream()
                .map(r -> new Open((Long) r[0], (String) r[1], (Integer) r[2], (Double) r[3])).toList();
    }

    void complete(List<Long> ids) {
        if (!ids.isEmpty()) {
            sql.update("update task_information set task_status = 'Completed' where task_id = any (?)", (Object) ids.toArray(Long[]::new));
        }
    }

    /** Records each set's size now; the time it changed moves only when it did. */
    void sizes(List<Long> ids, List<Integer> sizes) {
        if (ids.isEmpty()) {
            return;
        }
        sql.update("""
                update task_information t
                set size_changed_at = case when t.last_size is distinct from s.size then now() else t.size_changed_at end,
                    last_size = s.size
                from unnest(?::bigint[], ?::int[]) as s(id, size) where t.task_id = s.id""",
                ids.toArray(Long[]::new), sizes.toArray(Integer[]::new));
    }

    long count(String status) {
        return sql.queryId("select count(*) from task_information where task_status = ?", status).orElse(0L);
    }
}
