package io.harvester.infra;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the versioned SQL in {@code db/migration} before any route touches the database; with the
 * demo on (dev profile), also {@code db/demo} into schema {@code demo}, with a history of its own so
 * the product's schema versions never depend on the demo's.
 */
public final class SchemaMigration {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaMigration.class);

    private SchemaMigration() {
    }

    /** The newest migration in {@code db/migration}: a database at this version needs no Flyway at all. */
    static final int LATEST = 13;
    /** The newest migration in {@code db/demo}. */
    static final int LATEST_DEMO = 2;

    public static void migrate(DataSource dataSource, boolean demo) {
        // Flyway takes most of a second to set itself up and look at the classpath; a restart on a database whose
        // history already holds the newest version (the usual case) skips it
        if (!current(dataSource, "Database schema", "flyway_schema_history", LATEST)) {
            migrate("Database schema", Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load());
        }
        if (demo && !current(dataSource, "Demo schema", "demo.flyway_schema_history", LATEST_DEMO)) {
            migrate("Demo schema", Flyway.configure().dataSource(dataSource).locations("classpath:db/demo")
                    .schemas("demo").createSchemas(true).load());
        }
    }

    /**
     * Whether the Flyway history {@code table} (the main one in the connection's schema, as Flyway's) holds every
     * version from 1 to {@code latest} applied, no failed one and no other: then there is nothing to apply. Anything
     * else (no history, older, a failure, a version this list does not know) goes through Flyway, which applies,
     * validates and reports as always. Checksums of applied files are not compared on this path: they are the jar's.
     */
    static boolean current(DataSource dataSource, String what, String table, int latest) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select count(*) filter (where not success),"
                     // every version from 1 to the newest, each applied, and none other (a schema-creation row is 0)
                     + " count(distinct version) filter (where success and version ~ '^[0-9]+$' and version::int between 1 and ?),"
                     + " count(*) filter (where version is not null and (version !~ '^[0-9]+$' or version::int > ?))"
                     + " from " + table)) {
            ps.setInt(1, latest);
            ps.setInt(2, latest);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                boolean current = rs.getInt(1) == 0 && rs.getInt(2) == latest && rs.getInt(3) == 0;
                if (current) {
                    LOG.info("{} at version {} (nothing to apply)", what, latest);
                }
                return current;
            }
        } catch (SQLException noHistoryYet) {
            return false;
        }
    }

    private static void migrate(String what, Flyway flyway) {
        MigrateResult result = flyway.migrate();
        // Flyway reports no target version when nothing was applied: ask for the current one then
        String version = result.targetSchemaVersion != null ? result.targetSchemaVersion
                : String.valueOf(flyway.info().current() == null ? "none" : flyway.info().current().getVersion());
        LOG.info("{} at version {} ({} migrations applied now)", what, version, result.migrationsExecuted);
    }
}
