package io.harvester.reload;

import static io.harvester.reload.FileNames.display;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import io.harvester.reload.AppliedFiles.Applied;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one route file's change: reads it (a file that became empty is taken as being written for a
 * while), checks it ({@link EditCheck}), waits for the runs in progress on its routes
 * ({@link RunsInProgress}), swaps its routes ({@link RouteSwap}, rolled back when Camel refuses them), and
 * says in one line what became of it.
 */
final class EditApplier {

    /** Live reload's lines carry one name, as they did before it was split in stages. */
    private static final Logger LOG = LoggerFactory.getLogger(RouteFileReload.class);
    /** How long a route file that became empty may stay so before it is applied as empty. */
    static final long EMPTY_GRACE_MS = 2000;

    /** What became of one file's change. */
    enum Outcome {
        /** Applied, or refused for good (logged), or nothing to do. */
        DONE,
        /** Waits for runs in progress. */
        WAIT,
        /** Refused by the checks; may pass once other files of the batch are applied. */
        REFUSED
    }

    private final CamelContext context;
    private final AppliedFiles applied;
    private final EditCheck check;
    private final RunsInProgress runs;
    /** Changes whose wait for runs was logged already (once per change, not once per look). */
    private final Set<Path> waiting = ConcurrentHashMap.newKeySet();
    /** Route files found empty (after having text), since when. */
    private final Map<Path, Long> emptySince = new ConcurrentHashMap<>();
    /** Test seam: called right after a changed file was read, before it is applied. */
    private volatile Consumer<Path> afterRead;

    EditApplier(CamelContext context, AppliedFiles applied) {
        this.context = context;
        this.applied = applied;
        this.check = new EditCheck(context);
        this.runs = new RunsInProgress(context);
    }

    /** Test seam: {@code hook} is called right after a changed file was read (null: none). */
    void afterRead(Consumer<Path> hook) {
        afterRead = hook;
    }

    /** The file's change is over (applied, or refused for good): a later one that waits for runs says so again. */
    void settled(Path file) {
        waiting.remove(file);
    }

    /**
     * Applies one file's change. {@code texts} are the batch's files as read: a file using this file's
     * templates is loaded with its new text when it is in the batch. When {@code quiet}, a refusal by the
     * checks is returned instead of logged.
     */
    Outcome apply(Path file, Map<Path, String> texts, boolean quiet) {
        try {
            return applyOrFail(file, texts, quiet);
        } catch (RuntimeException e) {
            LOG.error("Route file {} not reloaded: {}", display(file), e.getMessage(), e);
            return Outcome.DONE;
        }
    }

    private Outcome applyOrFail(Path file, Map<Path, String> texts, boolean quiet) {
        String text = WatchedFolder.read(file);
        Consumer<Path> hook = afterRead;
        if (hook != null) {
            hook.accept(file);
        }
        Applied before = applied.get(file);
        if (before != null && Objects.equals(text, before.text())) {
            emptySince.remove(file);
            return Outcome.DONE;
        }
        if (beingWritten(file, text, before)) {
            return Outcome.WAIT;
        }
        emptySince.remove(file);
        RouteDeclarations after = null;
        Map<Path, Applied> dependents;
        Map<Path, Applied> renewed;
        if (text != null) {
            try {
                after = EditCheck.parse(file, text);
                dependents = applied.dependents(file, before, after);
                renewed = AppliedFiles.renewed(dependents, texts);
                check.checkUses(file, after, renewed, applied);
            } catch (IllegalArgumentException e) {
                if (quiet) {
                    return Outcome.REFUSED;
                }
                LOG.error("Route file {} not reloaded, its previous routes keep running: {}", display(file), reason(file, e));
                return Outcome.DONE;
            }
            if (!after.others().isEmpty()) {
                LOG.warn("Route file {} not reloaded: it declares {}, which only a restart applies (routes, templated"
                        + " routes and route templates are applied live)", display(file), after.others());
                return Outcome.DONE;
            }
        } else {
            dependents = applied.dependents(file, before, null);
            renewed = AppliedFiles.renewed(dependents, texts);
        }
        if (before != null && !before.declarations().others().isEmpty()) {
            LOG.warn("Route file {} changed; it declares {}, which only a restart applies", display(file),
                    before.declarations().others());
            return Outcome.DONE;
        }
        Map<Path, Set<String>> restartOnly = EditCheck.restartOnly(dependents, renewed);
        if (!restartOnly.isEmpty()) {
            // a templatedRoute without id (or rest, beans...) cannot be removed to be loaded again: reloading
            // such a file would declare its routes twice, and loading it back would fail the same way
            LOG.warn("Route file {} not reloaded, its previous routes keep running: {}, which only a restart applies; restart"
                    + " Harvester to apply the edit", display(file), restartOnly.entrySet().stream()
                    .map(e -> display(e.getKey()) + " uses its templates and declares " + e.getValue())
                    .collect(Collectors.joining("; ")));
            return Outcome.DONE;
        }
        Set<String> oldRoutes = new LinkedHashSet<>();
        if (before != null) {
            oldRoutes.addAll(before.declarations().routeIds());
        }
        dependents.values().forEach(d -> oldRoutes.addAll(d.declarations().routeIds()));
        Set<String> newRoutes = new LinkedHashSet<>();
        if (after != null) {
            newRoutes.addAll(after.routeIds());
        }
        renewed.values().forEach(d -> newRoutes.addAll(d.declarations().routeIds()));
        Set<String> taken = check.takenElsewhere(newRoutes, oldRoutes);
        if (!taken.isEmpty()) {
            if (quiet) {
                return Outcome.REFUSED;
            }
            LOG.error("Route file {} not reloaded, its previous routes keep running: route id(s) {} already run, declared"
                    + " in another file", display(file), taken);
            return Outcome.DONE;
        }
        RouteEdit edit = new RouteEdit(file, before == null ? null : before.text(), text, oldRoutes, texts(dependents), texts(renewed));
        RunsInProgress.Attempt attempt = runs.swapWhenIdle(oldRoutes, () -> new RouteSwap(context, edit).run());
        if (!attempt.busy().isEmpty()) {
            if (waiting.add(file)) {
                LOG.info("Route file {} changed; applied once the runs in progress end ({})", display(file),
                        attempt.busy().entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", ")));
            }
            return Outcome.WAIT;
        }
        swapped(edit, after, dependents.keySet(), renewed, attempt.failure());
        return Outcome.DONE;
    }

    /**
     * An editor truncates, then writes: a file that became empty is taken as being written until it stays
     * empty for {@value #EMPTY_GRACE_MS} ms.
     */
    private boolean beingWritten(Path file, String text, Applied before) {
        if (text == null || !text.isBlank() || before == null || before.text().isBlank()) {
            return false;
        }
        Long since = emptySince.putIfAbsent(file, System.nanoTime());
        if (since == null) {
            LOG.warn("Route file {} is empty: taken as being written, its routes keep running; applied (its routes"
                    + " removed) if it is still empty in {} ms", display(file), EMPTY_GRACE_MS);
            return true;
        }
        return System.nanoTime() - since < EMPTY_GRACE_MS * 1_000_000;
    }

    /** Says what the swap did and keeps the texts it applied as the files' last applied ones. */
    private void swapped(RouteEdit edit, RouteDeclarations after, Set<Path> dependents, Map<Path, Applied> renewed,
                         Optional<String> failure) {
        Path file = edit.file();
        if (failure.isPresent()) {
            LOG.error("Route file {} not reloaded, its previous routes keep running: {}", display(file), failure.get());
            return;
        }
        if (edit.newText() == null) {
            applied.remove(file);
            LOG.info("Route file {} deleted: routes {} removed", display(file), edit.oldRoutes());
        } else {
            applied.put(file, new Applied(edit.newText(), after));
            LOG.info("Route file {} reloaded: routes {}{}", display(file), after.routeIds(), dependents.isEmpty() ? ""
                    : ", and those of " + dependents.stream().map(FileNames::display).toList() + " made from its templates");
        }
        applied.putAll(renewed);
    }

    private static Map<Path, String> texts(Map<Path, Applied> states) {
        Map<Path, String> texts = new LinkedHashMap<>();
        states.forEach((other, state) -> texts.put(other, state.text()));
        return texts;
    }

    /** The check's message without the file name in front: the log line names the file already. */
    private static String reason(Path file, RuntimeException e) {
        String prefix = display(file) + ": ";
        String message = e.getMessage();
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }
}
