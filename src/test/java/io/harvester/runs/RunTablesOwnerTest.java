package io.harvester.runs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The run tables have one owner: no class but {@link RunRepository} and its parts issues SQL on them, and no
 * SQL text writes a run status word but {@link RunStatus} (the migrations aside). A regex over the string
 * literals of src/main/java.
 */
class RunTablesOwnerTest {

    private static final Path SOURCES = Path.of("src/main/java");
    private static final Path RUNS = SOURCES.resolve("io/harvester/runs");
    /** The repository and the parts it hands out per table. */
    private static final Set<Path> REPOSITORY = Stream.of("RunRepository", "StepRows", "LogRows", "OutputRows", "Heartbeats",
            "RunDeletions", "RunFence").map(name -> RUNS.resolve(name + ".java")).collect(Collectors.toSet());
    private static final Pattern RUN_TABLE_SQL = Pattern.compile(
            "\\b(from|join|into|update|delete\\s+from)\\s+(runs|run_steps|run_logs|run_outputs|instances)\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern STATUS_WORD = Pattern.compile(Arrays.stream(RunStatus.values()).map(RunStatus::word)
            .collect(Collectors.joining("|", "'(", ")'")));
    /** Tables whose status column has words of its own (a crawl node is pending, done or failed). */
    private static final Pattern OTHER_STATUS_TABLES = Pattern.compile("\\bcrawl_nodes\\b");

    @Test
    void should_find_sql_on_the_run_tables_only_in_the_run_repository() {
        List<String> found = new ArrayList<>();
        for (Path source : sources()) {
            if (!REPOSITORY.contains(source)) {
                literals(source).stream().filter(text -> RUN_TABLE_SQL.matcher(text).find())
                        .forEach(text -> found.add(source + ": " + text.strip()));
            }
        }
        assertThat(found).as("SQL on the run tables outside RunRepository and its parts").isEmpty();
    }

    @Test
    void should_find_run_status_words_in_sql_only_through_RunStatus() {
        List<String> found = new ArrayList<>();
        for (Path source : sources()) {
            if (!source.equals(RUNS.resolve("RunStatus.java"))) {
                literals(source).stream()
                        .filter(text -> STATUS_WORD.matcher(text).find() && !OTHER_STATUS_TABLES.matcher(text).find())
                        .forEach(text -> found.add(source + ": " + text.strip()));
            }
        }
        assertThat(found).as("status words written into SQL instead of RunStatus.sql's {NAME}").isEmpty();
    }

    @Test
    void should_see_the_literals_the_rules_look_at() {
        // the scanner must find the repository's statements, or the rules above pass on nothing
        assertThat(literals(RUNS.resolve("RunRepository.java"))).anyMatch(text -> RUN_TABLE_SQL.matcher(text).find())
                .anyMatch(text -> text.contains("{LIVE}"));
        assertThat(literals(RUNS.resolve("RunStatus.java"))).contains("running", "LIVE");
        assertThat(STATUS_WORD.matcher("where status in ('pending', 'running')").find()).isTrue();
        assertThat(RUN_TABLE_SQL.matcher("insert into run_steps (run_id)").find()).isTrue();
    }

    private static List<Path> sources() {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(file -> file.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The contents of a source's string literals and text blocks; comments and char literals are skipped. */
    static List<String> literals(Path source) {
        String code;
        try {
            code = Files.readString(source);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> literals = new ArrayList<>();
        int i = 0;
        while (i < code.length()) {
            if (code.startsWith("//", i)) {
                i = endOf(code, "\n", i + 2);
            } else if (code.startsWith("/*", i)) {
                i = endOf(code, "*/", i + 2);
            } else if (code.startsWith("\"\"\"", i)) {
                int end = closing(code, "\"\"\"", i + 3);
                literals.add(code.substring(i + 3, end));
                i = end + 3;
            } else if (code.charAt(i) == '"') {
                int end = closing(code, "\"", i + 1);
                literals.add(code.substring(i + 1, end));
                i = end + 1;
            } else if (code.charAt(i) == '\'') {
                i = closing(code, "'", i + 1) + 1;
            } else {
                i++;
            }
        }
        return literals;
    }

    /** Where the unescaped {@code quote} closing a literal begins. */
    private static int closing(String code, String quote, int from) {
        for (int i = from; i < code.length(); i++) {
            if (code.charAt(i) == '\\') {
                i++;
            } else if (code.startsWith(quote, i)) {
                return i;
            }
        }
        throw new IllegalStateException("unclosed literal at " + from);
    }

    private static int endOf(String code, String marker, int from) {
        int end = code.indexOf(marker, from);
        return end < 0 ? code.length() : end + marker.length();
    }
}
