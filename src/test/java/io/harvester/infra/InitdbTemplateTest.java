package io.harvester.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A data directory kept as the template comes back whole, with its permissions, and only the first one is kept. */
class InitdbTemplateTest {

    @TempDir
    Path tmp;

    @Test
    void aKeptDirectoryIsCopiedBackWholeAndTheFirstKeptStays() throws Exception {
        Path binaries = Files.createDirectories(tmp.resolve("pg-linux-x86_64"));
        InitdbTemplate template = new InitdbTemplate(binaries);
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThat(template.copyInto(empty, null)).as("no template yet").isFalse();

        Path fresh = Files.createDirectories(tmp.resolve("fresh"));
        Files.writeString(fresh.resolve("PG_VERSION"), "16\n");
        Path base = Files.createDirectories(fresh.resolve("base/1"));
        Files.writeString(base.resolve("1259"), "catalog");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx------"));
        template.keep(fresh);

        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.writeString(other.resolve("PG_VERSION"), "99\n");
        template.keep(other);

        Path data = Files.createDirectories(tmp.resolve("data"));
        assertThat(template.copyInto(data, null)).isTrue();
        assertThat(Files.readString(data.resolve("PG_VERSION"))).as("the first kept").isEqualTo("16\n");
        assertThat(Files.readString(data.resolve("base/1/1259"))).isEqualTo("catalog");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("base/1")))).isEqualTo("rwx------");
        assertThat(data.resolve(".harvester-complete")).doesNotExist();
        try (var left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .as("no staging folder left").containsExactlyInAnyOrder("pg-linux-x86_64", "pg-linux-x86_64-initdb",
                            "empty", "fresh", "other", "data");
        }
    }
}
