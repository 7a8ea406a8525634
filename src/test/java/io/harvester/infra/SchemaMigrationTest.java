package io.harvester.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import io.harvester.support.TestStorage;

/** A database already at the newest version skips Flyway; any other state goes through it. */
class SchemaMigrationTest {

    @Test
    void latestIsTheNewestMigrationFile() throws IOException {
        assertThat(SchemaMigration.LATEST).isEqualTo(newest(Path.of("src/main/resources/db/migration")));
        assertThat(SchemaMigration.LATEST_DEMO).isEqualTo(newest(Path.of("src/main/resources/db/demo")));
    }

    @Test
    void aCurrentDatabaseIsSeenAsSuchAndAnOlderOneIsNot() throws Exception {
        String url = TestStorage.get().newDatabase();
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(url);
        dataSource.setUser(TestStorage.get().user());
        assertThat(SchemaMigration.current(dataSource, "Database schema", "flyway_schema_history", SchemaMigration.LATEST)).isTrue();
        assertThat(SchemaMigration.current(dataSource, "Demo schema", "demo.flyway_schema_history", SchemaMigration.LATEST_DEMO))
                .as("no demo history in a test database").isFalse();

        try (Connection c = DriverManager.getConnection(url, TestStorage.get().user(), ""); Statement s = c.createStatement()) {
            s.execute("delete from flyway_schema_history where version = '" + SchemaMigration.LATEST + "'");
        }
        assertThat(SchemaMigration.current(dataSource, "Database schema", "flyway_schema_history", SchemaMigration.LATEST))
                .as("one version behind").isFalse();
        try (Connection c = DriverManager.getConnection(url, TestStorage.get().user(), ""); Statement s = c.createStatement()) {
            s.execute("update flyway_schema_history set success = false where version = '" + (SchemaMigration.LATEST - 1) + "'");
        }
        assertThat(SchemaMigration.current(dataSource, "Database schema", "flyway_schema_history", SchemaMigration.LATEST - 1))
                .as("a failed migration in the history").isFalse();
    }

    private static int newest(Path folder) throws IOException {
        Pattern version = Pattern.compile("V(\\d+)__.*\\.sql");
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> version.matcher(f.getFileName().toString())).filter(Matcher::matches)
                    .mapToInt(m -> Integer.parseInt(m.group(1))).max().orElseThrow();
        }
    }
}
