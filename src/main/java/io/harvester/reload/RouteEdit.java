package io.harvester.reload;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * One route file's edit as it is swapped in.
 *
 * @param oldText       the file's text as last applied; null when the file is new
 * @param newText       its text now; null when it was deleted
 * @param oldRoutes     the routes to replace: the file's, and those made from its templates
 * @param oldDependents files whose templated routes use the file's templates, with their text as last applied
 * @param newDependents the same files with the text to load after the file (their new one when changed too)
 */
record RouteEdit(Path file, String oldText, String newText, Set<String> oldRoutes, Map<Path, String> oldDependents,
                 Map<Path, String> newDependents) {

    /** What {@code text} (one of this file's texts, or null) declares. */
    RouteDeclarations declared(String text) {
        return text == null ? RouteDeclarations.none(file) : RouteDeclarations.parse(file, text);
    }

    Set<String> templates(String text) {
        return declared(text).templates().keySet();
    }
}
