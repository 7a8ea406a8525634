package io.harvester.observe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checks of {@code promtool check metrics} (Prometheus' promlint) on a scrape in text format, for the
 * families whose name starts with a prefix: help text, snake_case label names, {@code _total} on counters and only there, no
 * reserved suffixes, no type in the name, snake_case, no colon, base units unabbreviated. promtool itself is
 * a Go binary the build does not need; its rules are few and fixed.
 */
final class PrometheusLint {

    /** A family's TYPE and HELP lines. */
    record Family(String type, String help) {
    }

    private static final Pattern TYPE = Pattern.compile("^# TYPE (\\S+) (\\S+)$");
    private static final Pattern HELP = Pattern.compile("^# HELP (\\S+) ?(.*)$");
    private static final Pattern LABEL = Pattern.compile("[{,]([a-zA-Z_][a-zA-Z0-9_]*)=\"");
    private static final Pattern CAMEL_CASE = Pattern.compile("[a-z][A-Z]");
    private static final Set<String> BASE_UNITS = Set.of("amperes", "bytes", "celsius", "grams", "joules", "kelvin", "meters",
            "metres", "seconds", "volts");
    private static final Map<String, String> NON_BASE_UNITS = Map.ofEntries(Map.entry("minutes", "seconds"),
            Map.entry("hours", "seconds"), Map.entry("days", "seconds"), Map.entry("weeks", "seconds"), Map.entry("kelvins", "kelvin"),
            Map.entry("fahrenheit", "celsius"), Map.entry("rankine", "celsius"), Map.entry("inches", "meters"),
            Map.entry("yards", "meters"), Map.entry("miles", "meters"), Map.entry("bits", "bytes"), Map.entry("calories", "joules"),
            Map.entry("pounds", "grams"), Map.entry("ounces", "grams"));
    private static final List<String> PREFIXES = List.of("pico", "nano", "micro", "milli", "centi", "deci", "deca", "hecto", "kilo",
            "kibi", "mega", "mibi", "giga", "gibi", "tera", "tebi", "peta", "pebi");
    private static final Set<String> ABBREVIATIONS = Set.of("s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d");
    private static final List<String> TYPES = List.of("counter", "gauge", "histogram", "summary", "untyped");

    private PrometheusLint() {
    }

    /** The families of the scrape whose name starts with {@code prefix}, by name. */
    static Map<String, Family> families(String scrape, String prefix) {
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, String> helps = new LinkedHashMap<>();
        for (String line : scrape.split("\n")) {
            Matcher type = TYPE.matcher(line);
            Matcher help = HELP.matcher(line);
            if (type.matches() && type.group(1).startsWith(prefix)) {
                types.put(type.group(1), type.group(2));
            } else if (help.matches() && help.group(1).startsWith(prefix)) {
                helps.put(help.group(1), help.group(2).strip());
            }
        }
        Map<String, Family> families = new LinkedHashMap<>();
        types.forEach((name, type) -> families.put(name, new Family(type, helps.get(name))));
        helps.keySet().stream().filter(name -> !types.containsKey(name)).forEach(name -> families.put(name, new Family(null, helps.get(name))));
        return families;
    }

    /** What promtool would say about those families, one line each as "name: problem"; empty when clean. */
    static List<String> problems(String scrape, String prefix) {
        List<String> problems = new ArrayList<>();
        families(scrape, prefix).forEach((name, family) -> {
            String type = family.type() == null ? "untyped" : family.type();
            if (family.help() == null || family.help().isEmpty()) {
                problems.add(name + ": no help text");
            }
            if (type.equals("counter") && !name.endsWith("_total")) {
                problems.add(name + ": counter metrics should have \"_total\" suffix");
            }
            if (!type.equals("counter") && name.endsWith("_total")) {
                problems.add(name + ": non-counter metrics should not have \"_total\" suffix");
            }
            if (!type.equals("histogram") && !type.equals("summary")
                    && (name.endsWith("_count") || name.endsWith("_sum") || name.endsWith("_bucket"))) {
                problems.add(name + ": non-histogram and non-summary metrics should not have a _count, _sum or _bucket suffix");
            }
            for (String typeName : TYPES) {
                if (name.contains("_" + typeName + "_") || name.endsWith("_" + typeName)) {
                    problems.add(name + ": metric name should not include type '" + typeName + "'");
                }
            }
            if (name.contains(":")) {
                problems.add(name + ": metric names should not contain ':'");
            }
            if (CAMEL_CASE.matcher(name).find()) {
                problems.add(name + ": metric names should be written in 'snake_case' not 'camelCase'");
            }
            for (String token : name.split("_")) {
                if (NON_BASE_UNITS.containsKey(token)) {
                    problems.add(name + ": use base unit \"" + NON_BASE_UNITS.get(token) + "\" instead of \"" + token + "\"");
                }
                for (String unitPrefix : PREFIXES) {
                    if (token.startsWith(unitPrefix) && BASE_UNITS.contains(token.substring(unitPrefix.length()))) {
                        problems.add(name + ": use base unit \"" + token.substring(unitPrefix.length()) + "\" instead of \"" + token + "\"");
                    }
                }
                if (ABBREVIATIONS.contains(token)) {
                    problems.add(name + ": metric names should not contain abbreviated units");
                }
            }
        });
        for (String line : scrape.split("\n")) {
            int brace = line.indexOf('{');
            if (line.startsWith(prefix) && !line.startsWith("#") && brace > 0) {
                Matcher label = LABEL.matcher(line.substring(brace));
                while (label.find()) {
                    if (CAMEL_CASE.matcher(label.group(1)).find()) {
                        problems.add(line.substring(0, brace) + ": label names should be written in 'snake_case' not 'camelCase'");
                    }
                }
            }
        }
        return problems.stream().distinct().toList();
    }
}
