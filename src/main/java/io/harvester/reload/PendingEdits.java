package io.harvester.reload;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The route files changed and not applied yet. They are applied as one batch per look: deletions first,
 * then files declaring templates, then the others, so that a pipeline moved to another file (mv, git
 * pull) or a template changed together with its users is not refused against the state the batch is
 * replacing. A file the checks refuse is tried again once others were applied, until no file makes
 * progress; only then is it reported. Files refused earlier are tried again (quietly) at every later look;
 * a change that waits for runs stays pending.
 */
final class PendingEdits {

    private final Set<Path> pending = ConcurrentHashMap.newKeySet();
    /** Files the checks refused (reported): tried again, quietly, after any later change. */
    private final Set<Path> refused = ConcurrentHashMap.newKeySet();

    /** Called on the watcher's thread too. */
    void add(Path file) {
        pending.add(file);
    }

    void addAll(Collection<Path> files) {
        pending.addAll(files);
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    /** Applies the files changed since the last look, and those refused earlier, as one batch. */
    void applyBatch(EditApplier edits) {
        Set<Path> batch = new LinkedHashSet<>(pending);
        // taken off before the files are read: a save arriving while this one is applied queues it again
        pending.removeAll(batch);
        Set<Path> retried = new LinkedHashSet<>(refused);
        retried.removeAll(batch);
        Map<Path, String> texts = new LinkedHashMap<>();
        for (Path file : batch) {
            texts.put(file, WatchedFolder.readQuietly(file));
        }
        List<Path> todo = new ArrayList<>(batch);
        todo.sort(Comparator.comparingInt(file -> order(file, texts.get(file))));
        todo.addAll(retried);
        boolean progress = true;
        while (!todo.isEmpty() && progress) {
            progress = false;
            List<Path> again = new ArrayList<>();
            for (Path file : todo) {
                switch (edits.apply(file, texts, true)) {
                    case DONE -> {
                        progress = true;
                        refused.remove(file);
                        edits.settled(file);
                    }
                    case WAIT -> pending.add(file);
                    case REFUSED -> again.add(file);
                }
            }
            todo = again;
        }
        for (Path file : todo) {
            refused.add(file);
            if (!retried.contains(file)) {
                // reported now, with the reason it has against the state the batch left
                edits.apply(file, texts, false);
            }
        }
    }

    /** Deletions first, then files declaring templates, then the others. */
    private static int order(Path file, String text) {
        if (text == null) {
            return 0;
        }
        try {
            return EditCheck.parse(file, text).templates().isEmpty() ? 2 : 1;
        } catch (RuntimeException e) {
            return 2;
        }
    }
}
