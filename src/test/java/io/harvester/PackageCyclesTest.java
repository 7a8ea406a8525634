package io.harvester;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Arrows between the packages of {@code io.harvester} point one way: no package imports a package that
 * (directly or through others) imports it back, and the kernel and the run model import no pipeline kind
 * (docs/architecture.md). Read from the sources in src/main/java: imports, static and wildcard ones
 * included, and names written out in full in code.
 */
class PackageCyclesTest {

    private static final Path SOURCES = Path.of("src/main/java/io/harvester");

    /** A reference to another package of io.harvester: an import, or a name written out in full in code. */
    private static final Pattern REFERENCE = Pattern.compile("(?<![\\w.])io\\.harvester((?:\\.[a-z]\\w*)*)\\.(?:[A-Z]|\\*)");

    /** Package to package it references to the lines that do ("reload/RouteSwap.java:18: import ..."). */
    private static final Map<String, Map<String, List<String>>> GRAPH = new TreeMap<>();

    @BeforeAll
    static void readSources() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                String source = Files.readString(file);
                String from = name(SOURCES.relativize(file.getParent()).toString().replace('/', '.'));
                String[] lines = source.split("\n", -1);
                Matcher reference = REFERENCE.matcher(code(source));
                while (reference.find()) {
                    String to = name(reference.group(1).isEmpty() ? "" : reference.group(1).substring(1));
                    if (!to.equals(from)) {
                        int line = (int) source.substring(0, reference.start()).chars().filter(c -> c == '\n').count();
                        GRAPH.computeIfAbsent(from, p -> new TreeMap<>()).computeIfAbsent(to, p -> new ArrayList<>())
                                .add(SOURCES.relativize(file) + ":" + (line + 1) + ": " + lines[line].strip());
                    }
                }
            }
        }
    }

    /** The kernel and the run model: they find kinds through the registry, never by importing one. */
    private static final Set<String> BELOW_THE_KINDS = Set.of("pipeline", "trigger", "runs", "runs.logs");
    private static final Set<String> KINDS = Set.of("paging", "crawl", "jobs", "dispatch", "system");

    @Test
    void should_import_no_kind_from_the_kernel_or_the_run_model() {
        List<String> upward = new ArrayList<>();
        for (String from : BELOW_THE_KINDS) {
            GRAPH.getOrDefault(from, Map.of()).forEach((to, lines) -> {
                if (KINDS.contains(to)) {
                    upward.add(edge(from, to) + ": " + lines);
                }
            });
        }
        assertThat(upward).as("the kernel or the run model imports a pipeline kind").isEmpty();
    }

    @Test
    void should_find_no_cycle() {
        Map<String, Set<String>> graph = new TreeMap<>();
        GRAPH.forEach((from, tos) -> graph.put(from, tos.keySet()));

        List<String> cycles = new ArrayList<>();
        for (Set<String> component : cyclicComponents(graph)) {
            List<String> cycle = shortestCycle(graph, component);
            StringBuilder found = new StringBuilder("packages " + component + " import each other: "
                    + String.join(" -> ", cycle));
            for (int i = 0; i + 1 < cycle.size(); i++) {
                found.append("\n  ").append(edge(cycle.get(i), cycle.get(i + 1))).append(':');
                GRAPH.get(cycle.get(i)).get(cycle.get(i + 1)).forEach(line -> found.append("\n    ").append(line));
            }
            cycles.add(found.toString());
        }
        assertThat(cycles).as("import cycles between io.harvester packages (make the arrow point one way)").isEmpty();
    }

    private static String name(String packageBelowRoot) {
        return packageBelowRoot.isEmpty() ? "(root)" : packageBelowRoot;
    }

    private static String edge(String from, String to) {
        return from + " -> " + to;
    }

    /** The strongly connected components of more than one package (Tarjan): each holds a cycle. */
    private static List<Set<String>> cyclicComponents(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        List<Set<String>> components = new ArrayList<>();
        for (String start : graph.keySet()) {
            if (!index.containsKey(start)) {
                connect(start, graph, index, low, stack, components);
            }
        }
        return components;
    }

    private static void connect(String node, Map<String, Set<String>> graph, Map<String, Integer> index,
                                Map<String, Integer> low, Deque<String> stack, List<Set<String>> components) {
        index.put(node, index.size());
        low.put(node, index.get(node));
        stack.push(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            if (!index.containsKey(next)) {
                connect(next, graph, index, low, stack, components);
                low.put(node, Math.min(low.get(node), low.get(next)));
            } else if (stack.contains(next)) {
                low.put(node, Math.min(low.get(node), index.get(next)));
            }
        }
        if (low.get(node).equals(index.get(node))) {
            Set<String> component = new TreeSet<>();
            String member;
            do {
                member = stack.pop();
                component.add(member);
            } while (!member.equals(node));
            if (component.size() > 1) {
                components.add(component);
            }
        }
    }

    /** A shortest cycle through the component's first package, staying inside the component: a -> b -> a. */
    private static List<String> shortestCycle(Map<String, Set<String>> graph, Set<String> component) {
        String start = component.iterator().next();
        Map<String, String> reachedFrom = new LinkedHashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(start));
        while (!queue.isEmpty()) {
            String node = queue.poll();
            for (String next : graph.getOrDefault(node, Set.of())) {
                if (next.equals(start)) {
                    List<String> cycle = new ArrayList<>(List.of(start));
                    for (String back = node; back != null; back = reachedFrom.get(back)) {
                        cycle.add(0, back);
                    }
                    return cycle;
                }
                if (component.contains(next) && !reachedFrom.containsKey(next)) {
                    reachedFrom.put(next, node);
                    queue.add(next);
                }
            }
        }
        throw new IllegalStateException("no cycle through " + start + " in " + component);
    }

    /**
     * The source with its comments and its string and character literals blanked out (line breaks kept, so
     * lines keep their numbers): only code names a package.
     */
    private static String code(String source) {
        StringBuilder code = new StringBuilder(source);
        int i = 0;
        while (i < source.length()) {
            String open = opening(source, i);
            if (open == null) {
                i++;
                continue;
            }
            String close = switch (open) {
                case "//" -> "\n";
                case "/*" -> "*/";
                default -> open;
            };
            int end = i + open.length();
            while (end < source.length() && !source.startsWith(close, end)) {
                end += source.charAt(end) == '\\' && !open.startsWith("/") ? 2 : 1;
            }
            end = Math.min(source.length(), close.equals("\n") ? end : end + close.length());
            for (int j = i; j < end; j++) {
                if (code.charAt(j) != '\n') {
                    code.setCharAt(j, ' ');
                }
            }
            i = end;
        }
        return code.toString();
    }

    /** The comment or literal that opens at {@code i}, or null. */
    private static String opening(String source, int i) {
        for (String open : List.of("//", "/*", "\"\"\"", "\"", "'")) {
            if (source.startsWith(open, i)) {
                return open;
            }
        }
        return null;
    }
}
