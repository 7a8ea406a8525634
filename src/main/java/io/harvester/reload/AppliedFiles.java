package io.harvester.reload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The route files as last applied, each with its text and what it declares: what an edit is compared
 * with, which files use the templates an edited file declares, and which file declares each pipeline.
 */
final class AppliedFiles {

    /** A route file as last applied: its text and what it declares. */
    record Applied(String text, RouteDeclarations declarations) {
    }

    private final Map<Path, Applied> files = new ConcurrentHashMap<>();

    /**
     * Takes the route files as Camel loaded them ({@code loaded}); returns those to apply as changes: the
     * ones that cannot be read or parsed, and those saved since Camel read them.
     */
    Set<Path> snapshot(List<Path> routeFiles, Map<Path, String> loaded) {
        Set<Path> changed = new LinkedHashSet<>();
        for (Path file : routeFiles) {
            String text = loaded.get(file);
            try {
                if (text == null) {
                    // not one Camel loaded through its collector: as on disk now
                    text = Files.readString(file);
                }
                files.put(file, new Applied(text, EditCheck.parse(file, text)));
            } catch (IOException | RuntimeException e) {
                changed.add(file);
                continue;
            }
            if (!text.equals(WatchedFolder.readQuietly(file))) {
                // saved after Camel read it, before this watcher started: a change like any other
                changed.add(file);
            }
        }
        return changed;
    }

    /** The file as last applied; null when none of its text is applied. */
    Applied get(Path file) {
        return files.get(file);
    }

    void put(Path file, Applied state) {
        files.put(file, state);
    }

    void putAll(Map<Path, Applied> states) {
        files.putAll(states);
    }

    void remove(Path file) {
        files.remove(file);
    }

    /** The other files whose templated routes use a template this file declares (or declared). */
    Map<Path, Applied> dependents(Path file, Applied before, RouteDeclarations after) {
        Set<String> templates = new LinkedHashSet<>();
        if (before != null) {
            templates.addAll(before.declarations().templates().keySet());
        }
        if (after != null) {
            templates.addAll(after.templates().keySet());
        }
        Map<Path, Applied> dependents = new LinkedHashMap<>();
        files.forEach((other, state) -> {
            if (!other.equals(file) && state.declarations().uses().stream().anyMatch(u -> templates.contains(u.template()))) {
                dependents.put(other, state);
            }
        });
        return dependents;
    }

    /** Pipeline ({@code template:name}) to the file declaring it, over the files other than {@code file} and {@code dependents}. */
    Map<String, Path> pipelinesElsewhere(Path file, Set<Path> dependents) {
        Map<String, Path> pipelines = new HashMap<>();
        files.forEach((other, state) -> {
            if (!other.equals(file) && !dependents.contains(other)) {
                state.declarations().uses().forEach(u -> pipelines.put(u.template() + ":" + u.parameters().get("name"), other));
            }
        });
        return pipelines;
    }

    /**
     * The dependents as they are loaded again: with their new text when the batch changed them too (and it
     * parses), else as last applied.
     */
    static Map<Path, Applied> renewed(Map<Path, Applied> dependents, Map<Path, String> texts) {
        Map<Path, Applied> renewed = new LinkedHashMap<>();
        dependents.forEach((other, state) -> {
            String text = texts.get(other);
            Applied now = state;
            if (text != null && !text.equals(state.text())) {
                try {
                    now = new Applied(text, EditCheck.parse(other, text));
                } catch (IllegalArgumentException e) {
                    // refused when its own turn comes
                }
            }
            renewed.put(other, now);
        });
        return renewed;
    }
}
