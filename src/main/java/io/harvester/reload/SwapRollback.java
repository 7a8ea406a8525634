package io.harvester.reload;

import java.util.LinkedHashSet;
import java.util.Set;

import io.harvester.infra.CamelFailures;

/**
 * Puts back what an edit Camel refused replaced: whatever of the new text was added (routes, templates,
 * crawl views) is removed, and the previous text is loaded again with the files using its templates.
 */
final class SwapRollback {

    private final ContextRoutes routes;
    private final RouteEdit edit;
    private final HaltedRoutes halted;
    private final PipelineLeftovers leftovers;

    SwapRollback(ContextRoutes routes, RouteEdit edit, HaltedRoutes halted, PipelineLeftovers leftovers) {
        this.routes = routes;
        this.edit = edit;
        this.halted = halted;
        this.leftovers = leftovers;
    }

    /** Restores the previous routes; returns why the new text was refused (and why restoring failed, if it did). */
    String restore(Exception refused) {
        String reason = CamelFailures.describe(refused);
        try {
            leftovers.forgetFailedViews();
            Set<String> added = new LinkedHashSet<>(edit.oldRoutes());
            added.addAll(edit.declared(edit.newText()).routeIds());
            edit.newDependents().forEach((other, text) -> added.addAll(RouteDeclarations.parse(other, text).routeIds()));
            Set<String> addedTemplates = new LinkedHashSet<>(edit.templates(edit.oldText()));
            addedTemplates.addAll(edit.templates(edit.newText()));
            routes.replace(added, addedTemplates, edit.file(), edit.oldText(), edit.oldDependents());
            halted.haltAgain(edit.file());
            leftovers.releaseGone();
            leftovers.forgetFailedViews();
        } catch (Exception restoring) {
            return reason + "; loading its previous routes again failed too: " + CamelFailures.describe(restoring);
        }
        return reason;
    }
}
