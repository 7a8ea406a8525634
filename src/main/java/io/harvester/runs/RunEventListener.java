package io.harvester.runs;

/**
 * Told of what this instance records about runs ({@link RunEvent}), right after the statement committed, on the
 * thread that wrote it (a run's own, a heartbeat's): a listener only touches memory and returns at once.
 * Registered with {@link RunEvents#listen}; notifications ({@code io.harvester.notify}) are one.
 */
@FunctionalInterface
public interface RunEventListener {

    void recorded(RunEvent event);
}
