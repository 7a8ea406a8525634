package io.harvester.trigger;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.quartz.utils.ConnectionProvider;

/**
 * Lends Quartz connections from the daemon's own pool. Quartz ships pooling providers only for c3p0
 * and HikariCP; a second pool would double the connections each instance holds for nothing.
 */
final class DataSourceConnectionProvider implements ConnectionProvider {

    private final DataSource dataSource;

    DataSourceConnectionProvider(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return dataSource.getConnection();
    }

    @Override
    public void initialize() {
        // the pool is open already
    }

    @Override
    public void shutdown() {
        // the pool belongs to StorageConfiguration, which closes it after the scheduler has stopped
    }
}
