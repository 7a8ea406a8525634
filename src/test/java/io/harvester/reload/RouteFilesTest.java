package io.harvester.reload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import io.harvester.support.LogLines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The route files are read before Camel reads them: what they declare, and the mistakes named with their file. */
class RouteFilesTest {

    @TempDir
    Path routes;

    private void write(String file, String yaml) throws Exception {
        Path target = routes.resolve(file);
        Files.createDirectories(target.getParent());
        Files.writeString(target, yaml);
    }

    private static String template(String id, String... parameters) {
        StringBuilder yaml = new StringBuilder("- routeTemplate:\n    id: " + id + "\n    parameters:\n");
        for (String parameter : parameters) {
            String[] nameAndDefault = parameter.split("=", 2);
            yaml.append("      - name: ").append(nameAndDefault[0]).append('\n');
            if (nameAndDefault.length > 1) {
                yaml.append("        defaultValue: \"").append(nameAndDefault[1]).append("\"\n");
            }
        }
        return yaml.append("    route:\n      from:\n        uri: \"timer:x\"\n        steps: []\n").toString();
    }

    private static String use(String routeId, String template, String name) {
        return "- templatedRoute:\n    routeTemplateRef: " + template + "\n    routeId: " + routeId + "\n    parameters:\n"
                + "      - name: name\n        value: " + name + "\n";
    }

    @Test
    void should_map_routes_of_sub_folders_to_their_files_and_leave_the_demo_out_when_asked() throws Exception {
        write("templates/t.camel.yaml", template("paged", "name", "pageSize=10"));
        write("team/a.camel.yaml", use("export-a", "paged", "a"));
        write("demo/d.camel.yaml", use("export-d", "paged", "d"));
        write("orders.yaml", "[]\n");

        assertThat(RouteFiles.check(routes, true)).containsOnlyKeys("export-a", "export-d")
                .containsEntry("export-a", routes.resolve("team/a.camel.yaml").toString());
        assertThat(RouteFiles.check(routes, false)).containsOnlyKeys("export-a");
    }

    @Test
    void should_read_xml_route_files_and_report_every_other_file_at_start_up() throws Exception {
        write("templates/t.camel.yaml", template("paged", "name", "pageSize=10"));
        write("x.camel.xml", """
                <camel>
                    <templatedRoute routeTemplateRef="paged" routeId="export-x">
                        <parameter name="name" value="x"/>
                        <parameter name="pageSise" value="5"/>
                    </templatedRoute>
                    <route id="job-route"><from uri="trigger:job:j"/><log message="hi"/></route>
                </camel>
                """);
        write("orders.yaml", "[]\n");

        try (LogLines log = LogLines.capture()) {
            assertThatThrownBy(() -> RouteFiles.check(routes, true)).hasMessage(routes.resolve("x.camel.xml")
                    + ": route export-x: parameter 'pageSise' is not a parameter of template paged (did you mean 'pageSize'?)");
            assertThat(log.containing("Ignored"))
                    .containsExactly("WARN Ignored: " + routes.resolve("orders.yaml") + "; route files end in .camel.yaml or .camel.xml");
        }
        write("x.camel.xml", Files.readString(routes.resolve("x.camel.xml")).replace("pageSise", "pageSize"));
        assertThat(RouteFiles.check(routes, true)).containsOnlyKeys("export-x", "job-route")
                .containsEntry("export-x", routes.resolve("x.camel.xml").toString());
    }

    @Test
    void should_name_the_line_of_a_file_that_is_not_valid_xml() throws Exception {
        write("broken.camel.xml", "<camel>\n  <templatedRoute routeTemplateRef=\"paged\">\n</camel>\n");

        assertThatThrownBy(() -> RouteFiles.check(routes, true)).hasMessageStartingWith(routes.resolve("broken.camel.xml")
                + ": not valid XML: line 3, column 3: ");
    }

    @Test
    void should_not_fail_on_a_missing_sub_folder() throws Exception {
        write("exports.camel.yaml", "[]\n");

        assertThat(RouteFiles.check(routes, true)).isEmpty();
        assertThat(RouteFiles.check(routes.resolve("templates"), true)).isEmpty();
    }

    @Test
    void should_name_the_file_and_route_of_a_pipeline_declared_twice() throws Exception {
        write("templates/t.camel.yaml", template("paged", "name"));
        write("a.camel.yaml", use("export-a", "paged", "same"));
        write("b.camel.yaml", use("export-b", "paged", "same"));

        assertThatThrownBy(() -> RouteFiles.check(routes, true)).hasMessage(routes.resolve("b.camel.yaml")
                + ": route export-b: a pipeline named 'same' of template paged is declared twice (also in "
                + routes.resolve("a.camel.yaml") + ")");
    }

    @Test
    void should_name_a_file_that_is_not_valid_yaml() throws Exception {
        write("broken.camel.yaml", "- templatedRoute:\n  routeTemplateRef: [unclosed\n");

        assertThatThrownBy(() -> RouteFiles.check(routes, true)).hasMessageStartingWith(
                routes.resolve("broken.camel.yaml") + ": not valid YAML: ");
    }
}
