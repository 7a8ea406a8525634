package io.harvester.notify;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

import io.harvester.runs.RunEvent;
import io.harvester.runs.RunStatus;

/** What a notification tells ({@code harvester.notify.events}), by the word its message carries in {@code event}. */
public enum NotifyEvent {

    FAILED("failed"),
    ABANDONED("abandoned"),
    TAKEN_OVER("taken-over"),
    RECOVERED("recovered");

    private final String word;

    NotifyEvent(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    /** The event of a word of {@code harvester.notify.events}; an unknown word names the known ones. */
    public static NotifyEvent of(String word) {
        return Arrays.stream(values()).filter(event -> event.word.equals(word)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("'" + word + "' is not one of " + Arrays.stream(values())
                        .map(NotifyEvent::word).collect(Collectors.joining(", "))));
    }

    /**
     * What a recorded run event may tell: a run ended failed or abandoned, a run taken over, and a completed run,
     * which tells {@link #RECOVERED} only when its pipeline's run before it failed ({@link Recovery}); nothing for
     * the other ends (cancelled, interrupted, partial, skipped).
     */
    public static Optional<NotifyEvent> of(RunEvent event) {
        if (event.kind() == RunEvent.Kind.TAKEN_OVER) {
            return Optional.of(TAKEN_OVER);
        }
        return switch (event.status()) {
            case FAILED -> Optional.of(FAILED);
            case ABANDONED -> Optional.of(ABANDONED);
            case COMPLETED -> Optional.of(RECOVERED);
            default -> Optional.empty();
        };
    }

    /** Whether {@code status} is an end a later completed run recovers from (those that sent a message). */
    static boolean needsRecovery(RunStatus status) {
        return status == RunStatus.FAILED || status == RunStatus.ABANDONED;
    }
}
