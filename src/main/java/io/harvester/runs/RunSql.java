package io.harvester.runs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

/**
 * One short statement in autocommit per call, on the run model's database. A failure is a
 * {@link RunStore.RunStoreException} naming the statement's verb, never its arguments (user data).
 * Arrays of String or Long are bound as SQL arrays.
 */
public final class RunSql {

    private final DataSource dataSource;

    RunSql(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Optional<Long> queryId(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql, args);
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
        } catch (SQLException e) {
            throw new RunStore.RunStoreException(sql, e);
        }
    }

    public Optional<Object[]> queryRow(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql, args);
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            Object[] row = new Object[rs.getMetaData().getColumnCount()];
            for (int i = 0; i < row.length; i++) {
                row[i] = rs.getObject(i + 1);
            }
            return Optional.of(row);
        } catch (SQLException e) {
            throw new RunStore.RunStoreException(sql, e);
        }
    }

    public int update(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql, args)) {
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new RunStore.RunStoreException(sql, e);
        }
    }

    public static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof String[] array) {
                ps.setArray(i + 1, c.createArrayOf("text", array));
            } else if (args[i] instanceof Long[] array) {
                ps.setArray(i + 1, c.createArrayOf("bigint", array));
            } else if (args[i] instanceof Integer[] array) {
                ps.setArray(i + 1, c.createArrayOf("integer", array));
            } else {
                ps.setObject(i + 1, args[i]);
            }
        }
        return ps;
    }

    /** Work on one connection in one transaction. */
    public interface Transaction<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T transaction(String what, Transaction<T> work) {
        try {
            return inTransaction(dataSource, work);
        } catch (SQLException e) {
            throw new RunStore.RunStoreException(what, e);
        }
    }

    /** Runs {@code work} in one transaction on a connection of {@code dataSource}; the caller names a failure. */
    public static <T> T inTransaction(DataSource dataSource, Transaction<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /** Every row of a query, each as its column values in order. */
    public List<Object[]> queryRows(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql, args);
             ResultSet rs = ps.executeQuery()) {
            List<Object[]> rows = new ArrayList<>();
            while (rs.next()) {
                Object[] row = new Object[rs.getMetaData().getColumnCount()];
                for (int i = 0; i < row.length; i++) {
                    row[i] = rs.getObject(i + 1);
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new RunStore.RunStoreException(sql, e);
        }
    }
}
