package io.harvester.runs;

import java.util.Map;

/**
 * A kind of pipeline whose policy may end a live run for a new start (a job's stuck run is cancelled by a
 * manual start). {@link RunStarter} refuses a start while a run is live only when no such policy would
 * replace that run: it finds them in the Camel registry.
 */
public interface LiveRunReplacement {

    /** Whether a start with these trigger headers would cancel the pipeline's live run and begin another. */
    boolean replacesLiveRun(String pipeline, Map<String, Object> headers);
}
