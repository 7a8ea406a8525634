package io.harvester.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDateTime;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CSV files appear under their final name only complete; aborted and stale temporary files go away. */
class OutputFileTest {

    @TempDir
    Path dir;

    @Test
    void should_publish_atomically_with_size_rows_and_checksum() throws Exception {
        OutputFile out = OutputFile.open(dir, "orders", 7, LocalDateTime.of(2026, 1, 2, 3, 4, 5));
        out.write("id\r\n1\r\n", 1);
        assertThat(dir.resolve("orders-20260102-030405.csv")).doesNotExist();

        OutputFile.Published file = out.publish();

        byte[] bytes = "id\r\n1\r\n".getBytes(StandardCharsets.UTF_8);
        assertThat(file.path()).isEqualTo(dir.resolve("orders-20260102-030405.csv")).hasBinaryContent(bytes);
        assertThat(file.bytes()).isEqualTo(bytes.length);
        assertThat(file.rows()).isEqualTo(1);
        assertThat(file.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        assertThat(out.temp()).doesNotExist();
    }

    @Test
    void should_never_replace_an_existing_export() throws Exception {
        Files.writeString(dir.resolve("orders-20260102-030405.csv"), "earlier");
        OutputFile out = OutputFile.open(dir, "orders", 8, LocalDateTime.of(2026, 1, 2, 3, 4, 5));
        out.write("later", 0);
        assertThat(out.publish().path()).isEqualTo(dir.resolve("orders-20260102-030405-2.csv"));
        assertThat(dir.resolve("orders-20260102-030405.csv")).hasContent("earlier");
    }

    @Test
    void should_leave_nothing_when_aborted_and_clean_temp_files_of_dead_runs_only() throws Exception {
        OutputFile out = OutputFile.open(dir, "orders", 9, LocalDateTime.now());
        out.write("partial", 0);
        out.abort();
        assertThat(dir).isEmptyDirectory();

        Files.writeString(dir.resolve(".orders-20260101-000000.run10.csv.tmp"), "dead");
        Files.writeString(dir.resolve(".orders-20260101-000000.run11.csv.tmp"), "live");
        Files.writeString(dir.resolve("notes.txt"), "not ours");
        assertThat(OutputFile.removeStaleTemps(dir, run -> run == 11)).isEqualTo(1);
        assertThat(dir.resolve(".orders-20260101-000000.run10.csv.tmp")).doesNotExist();
        assertThat(dir.resolve(".orders-20260101-000000.run11.csv.tmp")).exists();
        assertThat(dir.resolve("notes.txt")).exists();
    }
}
