package io.harvester.reload;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import io.harvester.reload.AppliedFiles.Applied;
import io.harvester.reload.RouteDeclarations.Template;
import io.harvester.reload.RouteDeclarations.Use;
import org.apache.camel.CamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.RouteTemplateParameterDefinition;

/**
 * What an edited file's new text must pass before it is applied: it parses, it passes the start-up
 * checks ({@link RouteFiles#checkUses}) against the templates the context has, it declares no route id a
 * route of another file runs already, and it (or a file using its templates) declares nothing only a
 * restart applies.
 */
final class EditCheck {

    private final ModelCamelContext context;

    EditCheck(CamelContext context) {
        this.context = (ModelCamelContext) context;
    }

    /** Parsed under the name the operator knows, so messages name the file as in routes/. */
    static RouteDeclarations parse(Path file, String text) {
        return RouteDeclarations.parse(Path.of(FileNames.display(file)), text);
    }

    /**
     * The start-up checks, on the new text: templates as the context has them, with this file's in their
     * place; {@code renewed}, the files using its templates, as they will be loaded again (new text when the
     * batch changed them). Throws {@link IllegalArgumentException} naming the file and route of the mistake.
     */
    void checkUses(Path file, RouteDeclarations after, Map<Path, Applied> renewed, AppliedFiles applied) {
        Map<String, Template> templates = new HashMap<>();
        for (RouteTemplateDefinition definition : context.getRouteTemplateDefinitions()) {
            Set<String> parameters = new LinkedHashSet<>();
            Set<String> required = new LinkedHashSet<>();
            for (RouteTemplateParameterDefinition parameter : definition.getTemplateParameters()) {
                parameters.add(parameter.getName());
                if (parameter.getDefaultValue() == null && parameter.isRequired()) {
                    required.add(parameter.getName());
                }
            }
            templates.put(definition.getId(), new Template(definition.getId(), parameters, required));
        }
        templates.putAll(after.templates());
        Map<String, Path> pipelines = applied.pipelinesElsewhere(file, renewed.keySet());
        RouteFiles.checkUses(after.uses(), templates, pipelines);
        List<Use> reused = new ArrayList<>();
        renewed.values().forEach(d -> reused.addAll(d.declarations().uses()));
        RouteFiles.checkUses(reused, templates, pipelines);
    }

    /** Route ids of the new text that a route of another file runs already: Camel would replace that route without a word. */
    Set<String> takenElsewhere(Set<String> newRoutes, Set<String> oldRoutes) {
        return newRoutes.stream().filter(id -> !oldRoutes.contains(id) && context.getRoute(id) != null)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * The files using the edited file's templates that declare what only a restart applies, as last applied
     * or as the batch changed them, with what that is.
     */
    static Map<Path, Set<String>> restartOnly(Map<Path, Applied> dependents, Map<Path, Applied> renewed) {
        Map<Path, Set<String>> found = new LinkedHashMap<>();
        for (Map<Path, Applied> states : List.of(dependents, renewed)) {
            states.forEach((other, state) -> {
                if (!state.declarations().others().isEmpty()) {
                    found.computeIfAbsent(other, o -> new TreeSet<>()).addAll(state.declarations().others());
                }
            });
        }
        return found;
    }
}
