package io.harvester.runs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the run model tells what it recorded (part of {@link RunRepository}): every end a statement of this
 * instance wrote ({@link RunRepository#finish}, {@link RunRepository#endOrphan}, the sweeps of {@link Heartbeats})
 * and every run it took over ({@link Heartbeats#claimRunsOfDeadInstances}). A statement that found the run ended
 * already tells nothing, so each event is told once across instances.
 * <p>
 * What is recorded before anyone listens (the start-up abandon of a previous process's runs, the first sweep) is
 * kept, up to {@link #EARLY_LIMIT} events, and told to the first listener.
 */
public final class RunEvents {

    private static final Logger LOG = LoggerFactory.getLogger(RunEvents.class);
    /** Events kept for a listener to come: those of start-up, a few at most. */
    static final int EARLY_LIMIT = 100;

    private final String instance;
    private final List<RunEventListener> listeners = new CopyOnWriteArrayList<>();
    /** Recorded while nobody listened yet; null once a listener came. */
    private List<RunEvent> early = new ArrayList<>();
    /** Recorded while nobody listened yet, past {@link #EARLY_LIMIT}: said once a listener came. */
    private int earlyDropped;

    RunEvents(String instance) {
        this.instance = instance;
    }

    /** {@code listener} is told of every event from now on; the first one also of those recorded before it came. */
    public void listen(RunEventListener listener) {
        List<RunEvent> before;
        int dropped;
        synchronized (this) {
            listeners.add(listener);
            before = early == null ? List.of() : early;
            dropped = earlyDropped;
            early = null;
            earlyDropped = 0;
        }
        if (dropped > 0) {
            LOG.warn("{} run events of start-up were not kept (only the first {}): nothing is told of them (no"
                    + " notification); the runs' rows say how they ended", dropped, EARLY_LIMIT);
        }
        before.forEach(event -> tell(listener, event));
    }

    public void stopListening(RunEventListener listener) {
        listeners.remove(listener);
    }

    void ended(long runId, String pipeline, RunStatus status, String error) {
        record(new RunEvent(RunEvent.Kind.ENDED, runId, pipeline, status, error, instance, Instant.now()));
    }

    void takenOver(long runId, String pipeline, String from) {
        record(new RunEvent(RunEvent.Kind.TAKEN_OVER, runId, pipeline, RunStatus.RUNNING, from, instance, Instant.now()));
    }

    private void record(RunEvent event) {
        synchronized (this) {
            if (early != null) {
                if (early.size() < EARLY_LIMIT) {
                    early.add(event);
                } else {
                    earlyDropped++;
                }
                return;
            }
        }
        listeners.forEach(listener -> tell(listener, event));
    }

    /** A listener never decides a run's fate: the end is committed whatever it does. */
    private static void tell(RunEventListener listener, RunEvent event) {
        try {
            listener.recorded(event);
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("Run event listener {} failed on {}", listener, event, e);
        }
    }
}
