package io.harvester.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.harvester.output.OutputFileRemoval.Outcome;
import io.harvester.output.OutputFileRemoval.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Only regular files whose real path is inside the run's folder are deleted; nothing a symlink leads to. */
class OutputFileRemovalTest {

    @TempDir
    Path work;

    @Test
    void should_delete_a_file_inside_the_folder_and_count_its_bytes() throws IOException {
        Path folder = Files.createDirectories(work.resolve("orders"));
        Files.writeString(Files.createDirectories(folder.resolve("parts")).resolve("a.csv"), "1234");
        Files.writeString(folder.resolve("b.csv"), "12");

        assertThat(OutputFileRemoval.remove(folder.toString(), "parts/a.csv")).isEqualTo(new Result(Outcome.DELETED, 4, null));
        assertThat(OutputFileRemoval.remove(folder.toString(), "parts/../b.csv")).isEqualTo(new Result(Outcome.DELETED, 2, null));
        assertThat(folder.resolve("parts")).isEmptyDirectory();
        assertThat(folder.resolve("b.csv")).doesNotExist();
    }

    @Test
    void should_find_a_file_or_folder_already_gone_missing() {
        assertThat(OutputFileRemoval.remove(work.toString(), "gone.csv").outcome()).isEqualTo(Outcome.MISSING);
        assertThat(OutputFileRemoval.remove(work.resolve("no-folder").toString(), "gone.csv").outcome())
                .isEqualTo(Outcome.MISSING);
    }

    @Test
    void should_leave_alone_what_lies_outside_or_behind_a_symlink() throws IOException {
        Path folder = Files.createDirectories(work.resolve("orders"));
        Path outside = Files.writeString(work.resolve("outside.csv"), "outside");
        Path neighbour = Files.writeString(folder.resolve("neighbour.csv"), "another run's");
        Files.createSymbolicLink(folder.resolve("out.csv"), outside);
        Files.createSymbolicLink(folder.resolve("in.csv"), neighbour);
        Files.createSymbolicLink(folder.resolve("up"), work);
        Files.createDirectories(folder.resolve("dir.csv"));

        for (String path : new String[] {"../outside.csv", outside.toString(), "out.csv", "in.csv", "up/outside.csv",
                "up/orders/neighbour.csv", "dir.csv", "."}) {
            assertThat(OutputFileRemoval.remove(folder.toString(), path).outcome()).as(path).isEqualTo(Outcome.SKIPPED);
        }
        assertThat(OutputFileRemoval.remove(null, "neighbour.csv").outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(outside).hasContent("outside");
        assertThat(neighbour).hasContent("another run's");
        assertThat(folder.resolve("out.csv")).isSymbolicLink();
        assertThat(folder.resolve("in.csv")).isSymbolicLink();
        assertThat(folder.resolve("dir.csv")).isDirectory();
    }

    @Test
    void should_delete_inside_a_folder_that_is_itself_reached_through_a_symlink() throws IOException {
        Path real = Files.createDirectories(work.resolve("disk/orders"));
        Path linked = Files.createSymbolicLink(work.resolve("orders"), real);
        Files.writeString(real.resolve("a.csv"), "123");

        assertThat(OutputFileRemoval.remove(linked.toString(), "a.csv")).isEqualTo(new Result(Outcome.DELETED, 3, null));
        assertThat(real.resolve("a.csv")).doesNotExist();
    }
}
