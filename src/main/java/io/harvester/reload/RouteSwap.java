package io.harvester.reload;

import java.util.Optional;

import org.apache.camel.CamelContext;

/**
 * Replaces the routes of one edited route file (and of the files using its templates) in a running
 * context: the old routes are stopped and removed with their definitions and templates, then the new
 * text is loaded, templated routes included. When Camel refuses the new text, {@link SwapRollback} loads
 * the previous text again, so the file's previous routes keep running.
 */
final class RouteSwap {

    private final CamelContext context;
    private final RouteEdit edit;

    RouteSwap(CamelContext context, RouteEdit edit) {
        this.context = context;
        this.edit = edit;
    }

    /** Swaps the routes; empty when done, else why the new text was refused (the old routes run again). */
    Optional<String> run() {
        PipelineLeftovers leftovers = PipelineLeftovers.before(context, edit.oldRoutes());
        HaltedRoutes halted = HaltedRoutes.before(context, edit.oldRoutes());
        ContextRoutes routes = new ContextRoutes(context);
        try {
            routes.replace(edit.oldRoutes(), edit.templates(edit.oldText()), edit.file(), edit.newText(), edit.newDependents());
            halted.haltAgain(edit.file());
            leftovers.forgetGone(edit.file());
            return Optional.empty();
        } catch (Exception refused) {
            return Optional.of(new SwapRollback(routes, edit, halted, leftovers).restore(refused));
        }
    }
}
