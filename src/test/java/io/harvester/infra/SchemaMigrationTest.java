package io.harvester.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
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

    /** The newest version; every file must be V<n>__<name>.sql numbered 1 to n without a gap (what current() knows). */
    private static int newest(Path folder) throws IOException {
        Pattern version = Pattern.compile("V(\\d+)__.*\\.sql");
        try (Stream<Path> files = Files.list(folder)) {
            List<String> names = files.map(f -> f.getFileName().toString()).sorted().toList();
            assertThat(names).as("migrations SchemaMigration.current can count").allMatch(n -> version.matcher(n).matches());
            List<Integer> versions = names.stream().map(version::matcher).filter(Matcher::matches)
                    .map(m -> Integer.parseInt(m.group(1))).sorted().toList();
            assertThat(versions).as("numbered from 1 without a gap")
                    .isEqualTo(java.util.stream.IntStream.rangeClosed(1, versions.size()).boxed().toList());
            return versions.get(versions.size() - 1);
        }
    }
}
