package io.harvester;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Every knob has its default once, in application.properties: what the code and the route files read is
 * set there, and neither carries a default of its own (a second default drifts, and only the file's applies).
 */
class KnobDefaultsTest {

    /** A key the code reads: {@code @PropertyInject("key")}, or a full key handed to {@code Knobs}. */
    private static final Pattern CODE_KEY = Pattern.compile(
            "@PropertyInject\\(\"([^\"]+)\"\\)|\\bvalue\\(\"((?:harvester|camel)\\.[a-z0-9.-]+)\"");
    /** A placeholder of a route file: {@code {{key}}}, {@code {{?key}}} (optional) or {@code {{key:default}}}. */
    private static final Pattern ROUTE_KEY = Pattern.compile("\\{\\{(\\??)((?:harvester|camel)\\.[a-z0-9.-]+)(:[^}]*)?}}");

    @Test
    void should_find_every_key_the_code_reads_in_application_properties() throws IOException {
        Properties file = applicationProperties();
        TreeSet<String> missing = new TreeSet<>();
        for (String source : sources(Path.of("src/main/java"), ".java")) {
            Matcher key = CODE_KEY.matcher(source);
            while (key.find()) {
                String name = key.group(1) != null ? key.group(1) : key.group(2);
                if (!file.containsKey(name)) {
                    missing.add(name);
                }
            }
        }
        assertThat(missing).as("keys the code reads that application.properties does not set").isEmpty();
    }

    @Test
    void should_find_no_default_in_the_code() throws IOException {
        List<String> defaults = new ArrayList<>();
        for (String source : sources(Path.of("src/main/java"), ".java")) {
            Matcher inject = Pattern.compile("@PropertyInject\\([^)]*defaultValue[^)]*\\)").matcher(source);
            while (inject.find()) {
                defaults.add(inject.group());
            }
        }
        assertThat(defaults).as("@PropertyInject with a default of its own: write it in application.properties").isEmpty();
    }

    @Test
    void should_find_every_knob_of_the_route_files_in_application_properties_without_a_default() throws IOException {
        Properties file = applicationProperties();
        List<String> wrong = new ArrayList<>();
        for (String source : sources(Path.of("routes"), ".camel.yaml", ".camel.xml")) {
            Matcher key = ROUTE_KEY.matcher(source);
            while (key.find()) {
                if (key.group(3) != null) {
                    wrong.add(key.group() + ": a default of its own");
                } else if (key.group(1).isEmpty() && !file.containsKey(key.group(2))) {
                    wrong.add(key.group() + ": not in application.properties");
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    private static Properties applicationProperties() throws IOException {
        Properties file = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("application.properties"))) {
            file.load(reader);
        }
        return file;
    }

    private static List<String> sources(Path root, String... endings) throws IOException {
        List<String> sources = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> Stream.of(endings).anyMatch(f.toString()::endsWith)).sorted().toList()) {
                sources.add(Files.readString(file));
            }
        }
        return sources;
    }
}
