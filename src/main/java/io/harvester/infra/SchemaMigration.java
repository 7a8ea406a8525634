package io.harvester.infra;

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

    public static void migrate(DataSource dataSource, boolean demo) {
        migrate("Database schema", Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load());
        if (demo) {
            migrate("Demo schema", Flyway.configure().dataSource(dataSource).locations("classpath:db/demo")
                    .schemas("demo").createSchemas(true).load());
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
