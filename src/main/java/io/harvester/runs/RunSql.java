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
 * One short statement in autocommit per call, on the run model's database, or a short transaction of a few
 * ({@link #transaction}: a run's end with its steps, deletions). A failure is a
 * {@link RunStoreException} naming the statement's verb, never its arguments (user data).
 * Arrays of String or Long are bound as SQL arrays. Rows come back typed through a {@link RowMapper}, or as
 * their column values for the stores of other tables.
 */
public final class RunSql {

    private final DataSource dataSource;

    RunSql(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Makes one value of the row a result set stands on. */
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    /** Every row of a query, each mapped. */
    public <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
        try (Connection c = dataSource.getConnection()) {
            return query(c, sql, mapper, args);
        } catch (SQLException e) {
            throw new RunStoreException(sql, e);
        }
    }

    /** Every row of a query on {@code connection} (in its transaction), each mapped. */
    public static <T> List<T> query(Connection connection, String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(connection, sql, args); ResultSet rs = ps.executeQuery()) {
            return mapAll(rs, mapper);
        }
    }

    /** The first row of a query, mapped; empty when it has none. */
    public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql, args);
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(mapper.map(rs)) : Optional.empty();
        } catch (SQLException e) {
            throw new RunStoreException(sql, e);
        }
    }

    /** The rest of a result set's rows, each mapped. */
    static <T> List<T> mapAll(ResultSet rs, RowMapper<T> mapper) throws SQLException {
        List<T> rows = new ArrayList<>();
        while (rs.next()) {
            rows.add(mapper.map(rs));
        }
        return rows;
    }

    public Optional<Long> queryId(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql, args);
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
        } catch (SQLException e) {
            throw new RunStoreException(sql, e);
        }
    }

    public int update(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql, args)) {
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new RunStoreException(sql, e);
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
            throw new RunStoreException(what, e);
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
            throw new RunStoreException(sql, e);
        }
    }

    /** A statement on the run model failed; names its verb, never its arguments (they may hold user data). */
    public static final class RunStoreException extends RuntimeException {
        RunStoreException(String sql, SQLException cause) {
            super("run store: " + sql.strip().split("\\s+", 4)[0] + " on run model failed: " + cause.getMessage(), cause);
        }
    }
}
