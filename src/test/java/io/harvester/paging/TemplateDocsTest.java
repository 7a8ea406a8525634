package io.harvester.paging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The docs' parameter tables say what the route templates declare: names, defaults, descriptions. */
class TemplateDocsTest {

    private static final Pattern PARAMETER = Pattern.compile(
            "      - name: (\\w+)\\n((?:        .*\\n)*)");

    @Test
    void should_document_every_paged_export_parameter_as_declared() throws Exception {
        assertDocumented("routes/templates/paged-export.camel.yaml", "docs/adding-an-api.md", 36);
    }

    @Test
    void should_document_every_hierarchy_crawl_parameter_as_declared() throws Exception {
        assertDocumented("routes/templates/hierarchy-crawl.camel.yaml", "docs/crawls.md", 21);
    }

    private static void assertDocumented(String templateFile, String docsPage, int parameters) throws Exception {
        String template = Files.readString(Path.of(templateFile));
        String page = Files.readString(Path.of(docsPage));
        List<String> expectedRows = new ArrayList<>();
        Matcher m = PARAMETER.matcher(template.substring(0, template.indexOf("    beans:")));
        while (m.find()) {
            String body = m.group(2);
            String defaultValue = field(body, "defaultValue");
            String shownDefault = defaultValue != null ? "`" + defaultValue + "`"
                    : body.contains("required: false") ? "(none)" : "required";
            expectedRows.add("| `" + m.group(1) + "` | " + shownDefault + " | " + field(body, "description") + " |");
        }
        assertThat(expectedRows).hasSize(parameters);
        assertThat(page.lines().filter(l -> l.startsWith("| `")).toList()).containsSubsequence(expectedRows);
    }

    private static String field(String body, String name) {
        Matcher m = Pattern.compile("        " + name + ": (.*)").matcher(body);
        if (!m.find()) {
            return null;
        }
        String value = m.group(1).strip();
        return value.startsWith("\"") && value.endsWith("\"") ? value.substring(1, value.length() - 1) : value;
    }
}
