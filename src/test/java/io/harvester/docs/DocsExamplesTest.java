package io.harvester.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The README's and docs' examples run as written on a fresh clone: every YAML block parses, route examples use
 * declared templates and parameters, every curl calls an endpoint the daemon serves with a shipped pipeline, and
 * the shipped exports/crawls files hold the documented example, commented out, in a form Camel loads.
 */
class DocsExamplesTest {

    private static final Pattern FENCE = Pattern.compile("^```(\\w*)\\s*$");
    private static final Pattern URL = Pattern.compile("(?:https?://)?(?:localhost|127\\.0\\.0\\.1):8080(/[^\\s'\"]*)");
    private static final Pattern METHOD = Pattern.compile("\\s-X\\s*(\\w+)");
    private static final Pattern BODY = Pattern.compile("\\s(?:-d|--data)\\s+'([^']*)'");
    private static final Pattern ROUTE_ID_OPTION = Pattern.compile("--id=([\\w-]+)");
    private static final Pattern SCHEDULE_KEY = Pattern.compile("^harvester\\.schedule\\.(\\w+)\\.([\\w-]+)\\.(\\w+)\\s*=");
    private static final Set<String> KINDS = Set.of("export", "crawl", "job", "dispatch", "system");

    record Block(Path page, int line, String lang, String text) {
        String where() {
            return page + ":" + line;
        }
    }

    record Endpoint(String method, Pattern path, String shown) {
    }

    @Test
    void should_find_the_examples_of_every_page_it_checks() throws IOException {
        List<Path> pages = pages();
        assertThat(pages).contains(Path.of("README.md"), Path.of("docs/adding-an-api.md"), Path.of("docs/crawls.md"),
                Path.of("docs/step-jobs.md"), Path.of("docs/runs-api.md"), Path.of("docs/operations.md"));
        Set<Path> withRoutes = new TreeSet<>();
        for (Block block : blocks("yaml")) {
            if (!routeItems(load(block)).isEmpty()) {
                withRoutes.add(block.page());
            }
        }
        assertThat(withRoutes).containsExactly(Path.of("docs/adding-an-api.md"), Path.of("docs/crawls.md"),
                Path.of("docs/incremental-exports.md"), Path.of("docs/step-jobs.md"));
        assertThat(curls().stream().map(c -> c.page()).distinct()).contains(Path.of("README.md"),
                Path.of("docs/runs-api.md"), Path.of("docs/step-jobs.md"), Path.of("docs/crawls.md"));
    }

    @Test
    void should_parse_every_yaml_block_of_the_readme_and_the_docs() throws IOException {
        List<String> failures = new ArrayList<>();
        List<Block> yaml = blocks("yaml");
        for (Block block : yaml) {
            try {
                load(block);
            } catch (RuntimeException e) {
                failures.add(block.where() + ": " + e.getMessage());
            }
        }
        assertThat(yaml).hasSizeGreaterThan(5);
        assertThat(failures).isEmpty();
    }

    @Test
    void should_name_only_declared_templates_and_parameters_in_route_examples() throws IOException {
        Map<String, Map<String, Boolean>> templates = templates();
        assertThat(templates).containsOnlyKeys("paged-export", "hierarchy-crawl");
        Set<String> shippedNodeIds = shippedNodeIds();
        List<String> failures = new ArrayList<>();
        for (Block block : blocks("yaml")) {
            for (Map<?, ?> item : routeItems(load(block))) {
                failures.addAll(routeProblems(block.where(), item, templates, shippedNodeIds));
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void should_call_only_endpoints_the_daemon_serves_with_pipelines_a_fresh_clone_has() throws IOException {
        List<Endpoint> endpoints = endpoints();
        Set<String> routeIds = shippedRouteIds();
        List<String> failures = new ArrayList<>();
        List<Block> curls = curls();
        ObjectMapper json = new ObjectMapper();
        for (Block curl : curls) {
            String command = curl.text();
            Matcher url = URL.matcher(command);
            if (!url.find()) {
                failures.add(curl.where() + ": no http://localhost:8080 URL in " + command);
                continue;
            }
            String path = url.group(1).replaceAll("[?#].*", "");
            Matcher m = METHOD.matcher(command);
            Matcher body = BODY.matcher(command);
            String method = m.find() ? m.group(1) : body.find() ? "POST" : "GET";
            if (endpoints.stream().noneMatch(e -> e.method().equals(method) && e.path().matcher(path).matches())) {
                failures.add(curl.where() + ": " + method + " " + path + " is not served (served: "
                        + endpoints.stream().map(Endpoint::shown).toList() + ")");
            }
            if (body.reset().find()) {
                JsonNode node;
                try {
                    node = json.readTree(body.group(1));
                } catch (IOException e) {
                    failures.add(curl.where() + ": body is not JSON: " + body.group(1));
                    continue;
                }
                if (node.has("pipeline")) {
                    failures.addAll(pipelineProblems(curl, node));
                }
            }
        }
        for (Block block : blocks("sh")) {
            Matcher id = ROUTE_ID_OPTION.matcher(block.text());
            while (id.find()) {
                if (!routeIds.contains(id.group(1))) {
                    failures.add(block.where() + ": route " + id.group(1) + " is not shipped (shipped: " + routeIds + ")");
                }
            }
        }
        assertThat(curls).hasSizeGreaterThan(20);
        assertThat(failures).isEmpty();
    }

    @Test
    void should_name_only_shipped_pipelines_in_schedule_properties() throws IOException {
        Set<String> pipelines = shippedPipelines();
        List<String> failures = new ArrayList<>();
        int keys = 0;
        for (Block block : blocks("properties")) {
            for (String line : block.text().lines().toList()) {
                Matcher key = SCHEDULE_KEY.matcher(line);
                if (key.find()) {
                    keys++;
                    String pipeline = key.group(1) + ":" + key.group(2);
                    if (!pipelines.contains(pipeline) || !Set.of("cron", "misfire").contains(key.group(3))) {
                        failures.add(block.where() + ": " + line + " names no shipped pipeline setting");
                    }
                }
            }
        }
        assertThat(keys).isEqualTo(3);
        assertThat(failures).isEmpty();
    }

    @Test
    void should_keep_the_readme_in_one_screen_linking_every_docs_page_that_opens_with_a_summary() throws IOException {
        List<String> readme = Files.readAllLines(Path.of("README.md"));
        assertThat(readme).hasSizeLessThanOrEqualTo(300).contains("![Harvester console](docs/console.png)");
        String text = String.join("\n", readme);
        List<String> failures = new ArrayList<>();
        for (Path page : files(Path.of("docs"), ".md")) {
            if (!text.contains("](" + page + ")")) {
                failures.add(page + " is not linked from README.md");
            }
            List<String> lines = Files.readAllLines(page);
            // architecture.md is the code's map, kept with the code; it opens with a paragraph of its own
            if (page.equals(Path.of("docs/architecture.md"))) {
                continue;
            }
            if (lines.size() < 4 || !lines.get(0).startsWith("# ") || !lines.get(1).isEmpty() || lines.get(2).isBlank()
                    || !lines.get(3).isEmpty()) {
                failures.add(page + " does not open with a title and a one-line summary");
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void should_link_only_to_files_and_sections_that_exist() throws IOException {
        Pattern link = Pattern.compile("(?<!!)\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
        List<String> failures = new ArrayList<>();
        int links = 0;
        for (Path page : pages()) {
            Matcher m = link.matcher(Files.readString(page));
            while (m.find()) {
                String target = m.group(1);
                if (target.startsWith("http")) {
                    continue;
                }
                links++;
                String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
                Path resolved = file.isEmpty() ? page : page.resolveSibling(file).normalize();
                if (!Files.exists(resolved)) {
                    failures.add(page + ": " + target + " names no file");
                } else if (target.contains("#") && resolved.toString().endsWith(".md")) {
                    String section = target.substring(target.indexOf('#') + 1);
                    List<String> slugs = Files.readAllLines(resolved).stream().filter(l -> l.matches("#+ .*"))
                            .map(l -> l.replaceFirst("#+ ", "").strip().toLowerCase().replaceAll("[^\\w\\- ]", "").replace(' ', '-'))
                            .toList();
                    if (!slugs.contains(section)) {
                        failures.add(page + ": " + target + " names no section of " + resolved);
                    }
                }
            }
        }
        assertThat(links).isGreaterThan(30);
        assertThat(failures).isEmpty();
    }

    @Test
    void should_ship_the_documented_export_example_commented_out_in_a_file_camel_loads() throws Exception {
        assertShippedExample("routes/exports.camel.yaml", "docs/adding-an-api.md");
    }

    @Test
    void should_ship_the_documented_crawl_example_commented_out_in_a_file_camel_loads() throws Exception {
        assertShippedExample("routes/crawls.camel.yaml", "docs/crawls.md");
    }

    /** The file loads as it is (no route), and removing "# " from the lines after "---" gives the page's first example. */
    private static void assertShippedExample(String file, String page) throws Exception {
        String text = Files.readString(Path.of(file));
        List<String> live = text.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        assertThat(live).containsExactly("---");
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.start();
            PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.fromString(file, text));
            assertThat(context.getRoutes()).isEmpty();
        }
        String afterMarker = text.substring(text.indexOf("\n---\n") + 5);
        String uncommented = afterMarker.lines().map(l -> l.startsWith("# ") ? l.substring(2) : l)
                .collect(Collectors.joining("\n"));
        Object example = new Load(LoadSettings.builder().build()).loadFromString("---\n" + uncommented);
        Block documented = blocks("yaml").stream().filter(b -> b.page().equals(Path.of(page))).findFirst().orElseThrow();
        assertThat(parameters(routeItems(example))).isEqualTo(parameters(routeItems(load(documented))));
        assertThat(routeItems(example)).hasSize(1);
        assertThat(routeProblems(file, routeItems(example).get(0), templates(), shippedNodeIds())).isEmpty();
    }

    private static List<String> routeProblems(String where, Map<?, ?> item, Map<String, Map<String, Boolean>> templates,
            Set<String> shippedNodeIds) {
        List<String> failures = new ArrayList<>();
        if (item.get("templatedRoute") instanceof Map<?, ?> use) {
            String template = String.valueOf(use.get("routeTemplateRef"));
            Map<String, Boolean> declared = templates.get(template);
            if (declared == null) {
                return List.of(where + ": no route template " + template);
            }
            if (use.get("routeId") == null) {
                failures.add(where + ": templatedRoute of " + template + " without routeId");
            }
            Set<String> given = new LinkedHashSet<>();
            for (Object p : (List<?>) use.get("parameters")) {
                String name = String.valueOf(((Map<?, ?>) p).get("name"));
                given.add(name);
                if (!declared.containsKey(name)) {
                    failures.add(where + ": parameter '" + name + "' is not a parameter of template " + template);
                }
            }
            declared.forEach((name, required) -> {
                if (required && !given.contains(name)) {
                    failures.add(where + ": required parameter '" + name + "' of " + template + " is missing");
                }
            });
        } else if (item.get("route") instanceof Map<?, ?> route) {
            if (route.get("id") == null) {
                failures.add(where + ": route without id");
            }
            String uri = String.valueOf(((Map<?, ?>) route.get("from")).get("uri"));
            if (uri.startsWith("trigger:") && !KINDS.contains(uri.split(":")[1])) {
                failures.add(where + ": no pipeline kind in " + uri);
            }
            for (String id : nodeIds(route)) {
                if (shippedNodeIds.contains(id)) {
                    failures.add(where + ": node id " + id + " is already used by a shipped route");
                }
            }
        } else if (item.get("routeTemplate") != null) {
            failures.add(where + ": a routeTemplate example would redeclare a template");
        }
        return failures;
    }

    private List<String> pipelineProblems(Block curl, JsonNode body) throws IOException {
        String pipeline = body.get("pipeline").asText();
        Set<String> known = new LinkedHashSet<>(shippedPipelines());
        Map<String, Set<String>> steps = new LinkedHashMap<>(shippedJobSteps());
        for (Block block : blocks("yaml")) {
            if (block.page().equals(curl.page())) {
                for (Map<?, ?> item : routeItems(load(block))) {
                    pipelineOf(item).ifPresent(known::add);
                    if (item.get("route") instanceof Map<?, ?> route) {
                        pipelineOf(item).ifPresent(p -> steps.put(p, new LinkedHashSet<>(nodeIds(route))));
                    }
                }
            }
        }
        if (!known.contains(pipeline)) {
            return List.of(curl.where() + ": pipeline " + pipeline + " is neither shipped nor declared on the page (known: " + known + ")");
        }
        if (body.has("step") && !steps.getOrDefault(pipeline, Set.of()).contains(body.get("step").asText())) {
            return List.of(curl.where() + ": " + pipeline + " has no step " + body.get("step").asText());
        }
        return List.of();
    }

    // ---- what the repository declares

    /** Template id → parameter name → required (no default and not required: false). */
    private static Map<String, Map<String, Boolean>> templates() throws IOException {
        Map<String, Map<String, Boolean>> templates = new LinkedHashMap<>();
        for (Path file : files(Path.of("routes/templates"), ".camel.yaml")) {
            for (Object entry : (List<?>) loadFile(file)) {
                if (entry instanceof Map<?, ?> item && item.get("routeTemplate") instanceof Map<?, ?> template) {
                    Map<String, Boolean> parameters = new LinkedHashMap<>();
                    for (Object p : (List<?>) template.get("parameters")) {
                        Map<?, ?> parameter = (Map<?, ?>) p;
                        parameters.put(String.valueOf(parameter.get("name")), parameter.get("defaultValue") == null
                                && !"false".equals(String.valueOf(parameter.get("required"))));
                    }
                    templates.put(String.valueOf(template.get("id")), parameters);
                }
            }
        }
        return templates;
    }

    private static Set<String> shippedPipelines() throws IOException {
        Set<String> pipelines = new TreeSet<>();
        for (Path file : files(Path.of("routes"), ".camel.yaml")) {
            routeItems(loadFile(file)).forEach(item -> pipelineOf(item).ifPresent(pipelines::add));
        }
        for (Path file : files(Path.of("routes"), ".camel.xml")) {
            Matcher m = Pattern.compile("routeTemplateRef=\"(paged-export|hierarchy-crawl)\"[^>]*>\\s*<parameter name=\"name\" value=\"([\\w-]+)\"")
                    .matcher(Files.readString(file));
            while (m.find()) {
                pipelines.add((m.group(1).equals("paged-export") ? "export:" : "crawl:") + m.group(2));
            }
        }
        return pipelines;
    }

    private static Map<String, Set<String>> shippedJobSteps() throws IOException {
        Map<String, Set<String>> steps = new LinkedHashMap<>();
        for (Path file : files(Path.of("routes"), ".camel.yaml")) {
            for (Map<?, ?> item : routeItems(loadFile(file))) {
                if (item.get("route") instanceof Map<?, ?> route) {
                    pipelineOf(item).ifPresent(p -> steps.put(p, new LinkedHashSet<>(nodeIds(route))));
                }
            }
        }
        return steps;
    }

    private static Set<String> shippedRouteIds() throws IOException {
        Set<String> ids = new TreeSet<>();
        for (Path file : files(Path.of("routes"), ".camel.yaml")) {
            for (Map<?, ?> item : routeItems(loadFile(file))) {
                if (item.get("route") instanceof Map<?, ?> route) {
                    ids.add(String.valueOf(route.get("id")));
                } else if (item.get("templatedRoute") instanceof Map<?, ?> use) {
                    ids.add(String.valueOf(use.get("routeId")));
                }
            }
        }
        return ids;
    }

    private static Set<String> shippedNodeIds() throws IOException {
        Set<String> ids = new TreeSet<>();
        for (Path file : files(Path.of("routes"), ".camel.yaml")) {
            for (Map<?, ?> item : routeItems(loadFile(file))) {
                if (item.get("route") instanceof Map<?, ?> route) {
                    ids.addAll(nodeIds(route));
                }
            }
        }
        return ids;
    }

    /** Every endpoint of the REST DSL, of platform-http routes, and of the management server (/observe). */
    private static List<Endpoint> endpoints() throws IOException {
        List<Endpoint> endpoints = new ArrayList<>();
        for (Path file : files(Path.of("routes"), ".camel.yaml")) {
            if (!(loadFile(file) instanceof List<?> entries)) {
                continue;
            }
            for (Object entry : entries) {
                if (entry instanceof Map<?, ?> item && item.get("rest") instanceof Map<?, ?> rest) {
                    for (String verb : List.of("get", "post", "put", "delete", "patch")) {
                        if (rest.get(verb) instanceof List<?> operations) {
                            for (Object o : operations) {
                                Object sub = ((Map<?, ?>) o).get("path");
                                endpoints.add(endpoint(verb.toUpperCase(), rest.get("path") + (sub == null ? "" : String.valueOf(sub))));
                            }
                        }
                    }
                } else if (entry instanceof Map<?, ?> item && item.get("route") instanceof Map<?, ?> route
                        && route.get("from") instanceof Map<?, ?> from && String.valueOf(from.get("uri")).startsWith("platform-http:")) {
                    String path = String.valueOf(from.get("uri")).substring("platform-http:".length());
                    Object restrict = from.get("parameters") instanceof Map<?, ?> p ? p.get("httpMethodRestrict") : null;
                    endpoints.add(endpoint(restrict == null ? "GET" : String.valueOf(restrict), path));
                }
            }
        }
        // camel-main's management server: health and metrics at Camel's default /observe paths, Jolokia where configured
        endpoints.add(endpoint("GET", "/observe/health"));
        endpoints.add(endpoint("GET", "/observe/metrics"));
        String jolokia = Files.readAllLines(Path.of("application.properties")).stream()
                .filter(l -> l.startsWith("camel.management.jolokia-path")).findFirst().orElseThrow().split("=")[1].strip();
        endpoints.add(new Endpoint("GET", Pattern.compile(Pattern.quote(jolokia) + "(/.*)?"), "GET " + jolokia + "/**"));
        endpoints.add(new Endpoint("POST", Pattern.compile(Pattern.quote(jolokia) + "(/.*)?"), "POST " + jolokia + "/**"));
        return endpoints;
    }

    private static Endpoint endpoint(String method, String path) {
        String regex = Stream.of(path.split("/", -1))
                .map(s -> s.matches("\\{\\w+}") ? "[^/]+" : Pattern.quote(s))
                .collect(Collectors.joining("/"));
        return new Endpoint(method, Pattern.compile(regex), method + " " + path);
    }

    // ---- YAML helpers

    private static Optional<String> pipelineOf(Map<?, ?> item) {
        if (item.get("templatedRoute") instanceof Map<?, ?> use) {
            String kind = switch (String.valueOf(use.get("routeTemplateRef"))) {
                case "paged-export" -> "export:";
                case "hierarchy-crawl" -> "crawl:";
                default -> null;
            };
            return kind == null ? Optional.empty() : ((List<?>) use.get("parameters")).stream()
                    .map(p -> (Map<?, ?>) p).filter(p -> "name".equals(p.get("name")))
                    .map(p -> kind + p.get("value")).findFirst();
        }
        if (item.get("route") instanceof Map<?, ?> route && route.get("from") instanceof Map<?, ?> from) {
            Matcher m = Pattern.compile("^trigger:(\\w+:[\\w-]+)").matcher(String.valueOf(from.get("uri")));
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        }
        return Optional.empty();
    }

    /** The ids of every node under a route (steps, to, ...), the route's own id excluded. */
    private static List<String> nodeIds(Map<?, ?> route) {
        List<String> ids = new ArrayList<>();
        collectIds(route.get("from"), ids);
        return ids;
    }

    private static void collectIds(Object node, List<String> ids) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> {
                if ("id".equals(key)) {
                    ids.add(String.valueOf(value));
                } else {
                    collectIds(value, ids);
                }
            });
        } else if (node instanceof List<?> list) {
            list.forEach(element -> collectIds(element, ids));
        }
    }

    private static Map<String, String> parameters(List<Map<?, ?>> items) {
        Map<String, String> parameters = new LinkedHashMap<>();
        Map<?, ?> use = (Map<?, ?>) items.get(0).get("templatedRoute");
        for (Object p : (List<?>) use.get("parameters")) {
            parameters.put(String.valueOf(((Map<?, ?>) p).get("name")), String.valueOf(((Map<?, ?>) p).get("value")));
        }
        parameters.put("(routeId)", String.valueOf(use.get("routeId")));
        return parameters;
    }

    private static List<Map<?, ?>> routeItems(Object document) {
        List<Map<?, ?>> items = new ArrayList<>();
        if (document instanceof List<?> list) {
            for (Object entry : list) {
                if (entry instanceof Map<?, ?> item && (item.containsKey("route") || item.containsKey("templatedRoute")
                        || item.containsKey("routeTemplate"))) {
                    items.add(item);
                }
            }
        }
        return items;
    }

    private static Object load(Block block) {
        return new Load(LoadSettings.builder().setLabel(block.where()).build()).loadFromString(block.text());
    }

    private static Object loadFile(Path file) throws IOException {
        return new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromString(Files.readString(file));
    }

    // ---- Markdown helpers

    private static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md")));
        pages.addAll(files(Path.of("docs"), ".md"));
        return pages;
    }

    private static List<Path> files(Path folder, String suffix) throws IOException {
        try (Stream<Path> walk = Files.walk(folder)) {
            return walk.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    private static List<Block> blocks(String lang) throws IOException {
        List<Block> blocks = new ArrayList<>();
        for (Path page : pages()) {
            List<String> lines = Files.readAllLines(page);
            for (int i = 0; i < lines.size(); i++) {
                Matcher open = FENCE.matcher(lines.get(i));
                if (!open.matches()) {
                    continue;
                }
                int start = i;
                StringBuilder text = new StringBuilder();
                for (i++; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
                    text.append(lines.get(i)).append('\n');
                }
                String blockLang = open.group(1).equals("bash") ? "sh" : open.group(1);
                if (blockLang.equals(lang)) {
                    blocks.add(new Block(page, start + 1, blockLang, text.toString()));
                }
            }
        }
        return blocks;
    }

    /** Each curl command of the sh blocks (continuation lines joined, trailing comments dropped) as a block of its own. */
    private static List<Block> curls() throws IOException {
        List<Block> curls = new ArrayList<>();
        for (Block block : blocks("sh")) {
            String joined = block.text().replace("\\\n", " ");
            int line = block.line();
            for (String command : joined.lines().toList()) {
                line++;
                String code = command.replaceAll("\\s+#\\s.*$", "");
                Matcher curl = Pattern.compile("(?:^|\\$\\(|\\s)curl\\s.*").matcher(code);
                if (curl.find()) {
                    curls.add(new Block(block.page(), line, "sh", curl.group().strip()));
                }
            }
        }
        return curls;
    }
}
