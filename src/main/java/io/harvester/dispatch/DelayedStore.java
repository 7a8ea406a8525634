package io.harvester.dispatch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.harvester.runs.RunSql;

/** Table delayed_tasks: a set-based statement each, whatever the number of tasks. */
final class DelayedStore {

    private final RunSql sql;

    DelayedStore(RunSql sql) {
        this.sql = sql;
    }

    void insert(Connection c, List<DelayedTask> tasks) throws SQLException {
        if (tasks.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = RunSql.prepare(c, """
                insert into delayed_tasks (target_set, element, due_at)
                select t.target_set, t.element, to_timestamp(t.due / 1000.0)
                from unnest(?::text[], ?::text[], ?::bigint[]) as t(target_set, element, due)""",
                tasks.stream().map(DelayedTask::set).toArray(String[]::new),
                tasks.stream().map(DelayedTask::element).toArray(String[]::new),
                tasks.stream().map(t -> t.due().toEpochMilli()).toArray(Long[]::new))) {
            ps.executeUpdate();
        }
    }

    /** Ids from the table's sequence for tasks that go straight to Redis: one id space for every task. */
    List<Long> newIds(Connection c, int count) throws SQLException {
        try (PreparedStatement ps = RunSql.prepare(c, "select nextval('delayed_tasks_id_seq') from generate_series(1, ?)", count);
             ResultSet rs = ps.executeQuery()) {
            List<Long> ids = new ArrayList<>(count);
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
            return ids;
        }
    }

    /**
     * Rows due before {@code beforeMillis}, earliest first, locked until the transaction ends; rows another
     * transaction holds are skipped (another instance is moving them).
     */
    List<DelayedQueue.Member> lockDue(Connection c, long beforeMillis, int limit) throws SQLException {
        try (PreparedStatement ps = RunSql.prepare(c, """
                select id, target_set, element, round(extract(epoch from due_at) * 1000)::bigint
                from delayed_tasks where due_at < to_timestamp(? / 1000.0)
                order by due_at, id limit ? for update skip locked""", beforeMillis, limit);
             ResultSet rs = ps.executeQuery()) {
            List<DelayedQueue.Member> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(new DelayedQueue.Member(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
            }
            return rows;
        }
    }

    void delete(Connection c, List<Long> ids) throws SQLException {
        try (PreparedStatement ps = RunSql.prepare(c, "delete from delayed_tasks where id = any (?)", (Object) ids.toArray(Long[]::new))) {
            ps.executeUpdate();
        }
    }

    /** Which of these ids still have a row (committed: a row being moved right now is still there). */
    Set<Long> existing(List<Long> ids) {
        Set<Long> existing = new HashSet<>();
        sql.queryRows("select id from delayed_tasks where id = any (?)", (Object) ids.toArray(Long[]::new))
                .forEach(r -> existing.add((Long) r[0]));
        return existing;
    }
}
