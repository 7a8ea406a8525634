package io.harvester.runs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the run model honest about who is alive (route {@code run-heartbeat} in
 * routes/harvester-runs.camel.yaml calls {@link #beat()}): the runs this process works on get a fresh
 * {@code heartbeat_at}, and live runs nobody beats for any more are abandoned. Only runs with a live
 * handle are beaten, so a run row no thread works on goes stale too, instead of blocking its pipeline.
 */
public class RunHeartbeat {

    private static final Logger LOG = LoggerFactory.getLogger(RunHeartbeat.class);

    private final RunLifecycle lifecycle;
    private final long staleAfterMillis;

    public RunHeartbeat(RunLifecycle lifecycle, long staleAfterMillis) {
        this.lifecycle = lifecycle;
        this.staleAfterMillis = staleAfterMillis;
    }

    public void beat() {
        lifecycle.store().heartbeat(lifecycle.liveIds());
        int abandoned = lifecycle.store().abandonStale(staleAfterMillis);
        if (abandoned > 0) {
            LOG.warn("{} live run(s) gave no heartbeat for {} s: marked abandoned", abandoned, staleAfterMillis / 1000);
        }
    }
}
