package io.harvester.crawl;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import javax.sql.DataSource;

import io.harvester.runs.Heartbeats;
import io.harvester.runs.RunFence;
import io.harvester.runs.RunSql;
import io.harvester.secrets.Secrets;

/**
 * The {@code crawl_nodes} table: what a crawl has found and which lookups are done. It is both the
 * crawl's output (streamed depth-first into the CSV) and its checkpoint (a resumed run starts from it).
 */
final class CrawlCheckpoint {

    /**
     * A pending node {@code n} no live instance holds: unclaimed, claimed by an instance silent for the lease, or
     * claimed four leases ago and still pending (its claimer let it go without giving it back). Bound: the lease
     * in ms, twice.
     */
    private static final String CLAIMABLE = "(n.claimed_by is null or n.claimed_at < now() - make_interval(secs => ? / 250.0)"
            + " or not " + Heartbeats.alive("n.claimed_by") + ")";

    private final DataSource dataSource;
    private final RunFence fence;

    CrawlCheckpoint(DataSource dataSource, RunFence fence) {
        this.dataSource = dataSource;
        this.fence = fence;
    }

    /**
     * Records a lookup's answer in one transaction: its children (leaves at {@code depth} are done at
     * once, nothing to look up) and the parent's own lookup as done. Fenced ({@link RunFence}): nothing is
     * written, and {@code RunFenced} thrown, once the run is another instance's.
     */
    void answered(long runId, Lookup lookup, List<CrawlNode> children, int depth, boolean fenced) {
        // one statement, one round trip: it runs once per lookup while the lookup holds its slot
        int n = children.size();
        String[] keys = new String[n];
        String[] ids = new String[n];
        String[] parents = new String[n];
        String[] names = new String[n];
        String[] types = new String[n];
        String[] paths = new String[n];
        for (int i = 0; i < n; i++) {
            CrawlNode child = children.get(i);
            keys[i] = child.key();
            ids[i] = child.id();
            parents[i] = child.parentId();
            names[i] = child.name();
            types[i] = child.type();
            paths[i] = child.path();
        }
        boolean fenceHeld;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = RunSql.prepare(c, "with " + RunFence.CTE + """
                     ,
                     parent as (
                         update crawl_nodes set status = 'done', updated_at = now()
                         where run_id = ? and node_key = ? and""" + " " + RunFence.HOLDS + """
                     ),
                     children as (
                         insert into crawl_nodes (run_id, node_key, level, id, parent_id, name, type, path, status)
                         select ?, k, ?, i, p, n, t, pa, ? from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                             as u(k, i, p, n, t, pa)
                         where""" + " " + RunFence.HOLDS + """
                         on conflict (run_id, node_key) do nothing)
                     select count(*) from fence""", fenced ? fence.cteParams(runId) : RunFence.unfenced(runId));
             ResultSet held = bind(c, ps, runId, lookup, depth, keys, ids, parents, names, types, paths).executeQuery()) {
            fenceHeld = held.next() && held.getLong(1) == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("crawl checkpoint write failed: " + e.getMessage(), e);
        }
        if (fenced) {
            fence.confirm(runId, fenceHeld);
        }
    }

    private static PreparedStatement bind(Connection c, PreparedStatement ps, long runId, Lookup lookup, int depth,
                                          String[] keys, String[] ids, String[] parents, String[] names, String[] types,
                                          String[] paths) throws SQLException {
        // after the fence's three
        ps.setLong(4, runId);
        ps.setString(5, lookup.parent() == null ? "" : lookup.parent().key());
        ps.setLong(6, runId);
        ps.setInt(7, lookup.level());
        ps.setString(8, lookup.level() >= depth ? "done" : "pending");
        ps.setArray(9, c.createArrayOf("text", keys));
        ps.setArray(10, c.createArrayOf("text", ids));
        ps.setArray(11, c.createArrayOf("text", parents));
        ps.setArray(12, c.createArrayOf("text", names));
        ps.setArray(13, c.createArrayOf("text", types));
        ps.setArray(14, c.createArrayOf("text", paths));
        return ps;
    }

    /** Marks a node's lookup failed; {@code fenced} false for a helper's (the run is another instance's). */
    void failed(long runId, CrawlNode node, String error, boolean fenced) {
        String statement = "update crawl_nodes set status = 'failed', error = ?, updated_at = now()"
                + " where run_id = ? and node_key = ? and " + RunFence.HOLDS;
        // the error may name the request URL, and a key in it
        if (fenced) {
            fence.write(runId, statement, Secrets.mask(error), runId, node.key());
        } else {
            fence.writeAsHelper(runId, statement, Secrets.mask(error), runId, node.key());
        }
    }

    /** Hands the checkpoint of an earlier run to a new one; with {@code retryFailed} its failed lookups are made again. */
    int takeOver(long fromRun, long toRun, boolean retryFailed) {
        int[] moved = new int[1];
        inTransaction(c -> {
            // an earlier run's claims (a spread crawl's) mean nothing to the new run
            try (PreparedStatement ps = c.prepareStatement(
                    "update crawl_nodes set run_id = ?, claimed_by = null, claimed_at = null where run_id = ?")) {
                ps.setLong(1, toRun);
                ps.setLong(2, fromRun);
                moved[0] = ps.executeUpdate();
            }
            if (retryFailed) {
                try (PreparedStatement ps = c.prepareStatement(
                        "update crawl_nodes set status = 'pending', error = null where run_id = ? and status = 'failed'")) {
                    ps.setLong(1, toRun);
                    ps.executeUpdate();
                }
            }
        });
        return moved[0];
    }

    /**
     * A spread crawl's share for this instance, while the run is running: up to {@code max} nodes of {@code level}
     * whose lookup is still to be made and that no live instance has claimed (unclaimed, claimed by an instance
     * silent for {@code leaseMillis}, or claimed four leases ago and still pending: its claimer let it go without
     * giving it back), in tree order, now claimed by {@code instance}. Exactly once across instances: the
     * rows are locked ({@code for update skip locked}) and the claim names their taker.
     */
    List<CrawlNode> claim(long runId, String instance, long leaseMillis, int level, int max) {
        List<CrawlNode> nodes = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = RunSql.prepare(c, """
                     with free as (
                         select n.run_id, n.node_key from crawl_nodes n
                         where n.run_id = ? and n.status = 'pending' and n.level = ? and""" + " " + RunFence.RUNNING
                     + " and " + CLAIMABLE + """

                         order by n.node_key collate "C"
                         limit ?
                         for update of n skip locked)
                     update crawl_nodes c set claimed_by = ?, claimed_at = now()
                     from free f where c.run_id = f.run_id and c.node_key = f.node_key
                     returning c.*""", runId, level, runId, leaseMillis, leaseMillis, max, instance);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                nodes.add(node(rs));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("crawl checkpoint of run " + runId + ": claim failed: " + e.getMessage(), e);
        }
        nodes.sort(Comparator.comparing(CrawlNode::key));
        return nodes;
    }

    /** The levels (of the nodes) with pending nodes no live instance has claimed: where a claim would find one. */
    java.util.Set<Integer> claimableLevels(long runId, long leaseMillis) {
        java.util.Set<Integer> levels = new java.util.HashSet<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = RunSql.prepare(c, """
                     select distinct n.level from crawl_nodes n
                     where n.run_id = ? and n.status = 'pending' and""" + " " + CLAIMABLE, runId, leaseMillis, leaseMillis);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                levels.add(rs.getInt(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("crawl checkpoint of run " + runId + ": " + e.getMessage(), e);
        }
        return levels;
    }

    /** How many other instances claimed nodes of the run within {@code leaseMillis}: those making its lookups beside this one. */
    int otherClaimers(long runId, String instance, long leaseMillis) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = RunSql.prepare(c, "select count(distinct claimed_by) from crawl_nodes where run_id = ?"
                     + " and claimed_by <> ? and claimed_at > now() - make_interval(secs => ? / 1000.0)", runId, instance, leaseMillis);
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getInt(1) : 0;
        } catch (SQLException e) {
            throw new IllegalStateException("crawl checkpoint of run " + runId + ": " + e.getMessage(), e);
        }
    }

    /** Gives back the claims of this instance on nodes it did not look up (it stops helping, or starts anew). */
    void releaseClaims(long runId, String instance) {
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "update crawl_nodes set claimed_by = null, claimed_at = null where run_id = ? and status = 'pending'"
                            + " and claimed_by = ?")) {
                ps.setLong(1, runId);
                ps.setString(2, instance);
                ps.executeUpdate();
            }
        });
    }

    /** Whether any lookup of the run is still to be made, by any instance. */
    boolean anyPending(long runId) {
        boolean[] any = new boolean[1];
        query("select 1 from crawl_nodes where run_id = ? and status = 'pending' limit 1", runId, rs -> any[0] = true);
        return any[0];
    }

    /** Nodes whose own lookup is still to be made. */
    List<CrawlNode> pending(long runId) {
        List<CrawlNode> nodes = new ArrayList<>();
        stream("select * from crawl_nodes where run_id = ? and status = 'pending' order by node_key collate \"C\"",
                runId, nodes::add);
        return nodes;
    }

    /** Every node of the run, depth-first in API order, without holding them all in memory. */
    void eachDepthFirst(long runId, Consumer<CrawlNode> consumer) {
        stream("select * from crawl_nodes where run_id = ? order by node_key collate \"C\"", runId, consumer);
    }

    /** Per level: nodes found, lookups done and failed. */
    Map<Integer, int[]> countsByLevel(long runId) {
        Map<Integer, int[]> counts = new LinkedHashMap<>();
        query("""
                select level, count(*), count(*) filter (where status = 'done'), count(*) filter (where status = 'failed')
                from crawl_nodes where run_id = ? group by level order by level""", runId, rs -> counts.put(rs.getInt(1),
                new int[] {rs.getInt(2), rs.getInt(3), rs.getInt(4)}));
        return counts;
    }

    List<String> failedIds(long runId) {
        List<String> ids = new ArrayList<>();
        query("select id from crawl_nodes where run_id = ? and status = 'failed' order by node_key collate \"C\"", runId,
                rs -> ids.add(rs.getString(1)));
        return ids;
    }

    boolean hasNodes(long runId) {
        boolean[] any = new boolean[1];
        query("select 1 from crawl_nodes where run_id = ? limit 1", runId, rs -> any[0] = true);
        return any[0];
    }

    private void stream(String sql, long runId, Consumer<CrawlNode> consumer) {
        query(sql, runId, rs -> consumer.accept(node(rs)));
    }

    private static CrawlNode node(ResultSet rs) throws SQLException {
        return new CrawlNode(rs.getString("node_key"), rs.getInt("level"), rs.getString("id"), rs.getString("name"),
                rs.getString("type"), rs.getString("parent_id"), rs.getString("path"));
    }

    private interface RowHandler {
        void row(ResultSet rs) throws SQLException;
    }

    private interface Work {
        void run(Connection c) throws SQLException;
    }

    private void query(String sql, long runId, RowHandler handler) {
        try (Connection c = dataSource.getConnection()) {
            // a cursor (fetch size in a transaction) streams big crawls instead of loading them whole
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setFetchSize(1000);
                ps.setLong(1, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        handler.row(rs);
                    }
                }
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("crawl checkpoint of run " + runId + ": " + e.getMessage(), e);
        }
    }

    private void inTransaction(Work work) {
        try {
            RunSql.inTransaction(dataSource, c -> {
                work.run(c);
                return null;
            });
        } catch (SQLException e) {
            throw new IllegalStateException("crawl checkpoint write failed: " + e.getMessage(), e);
        }
    }
}
