package io.harvester.runs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the run model honest about who is alive (route {@code run-heartbeat} in
 * routes/harvester-runs.camel.yaml calls {@link #beat()}): this instance's live runs get a fresh
 * {@code heartbeat_at}, and live runs whose instance stopped beating are abandoned. Without it a run
 * left live by an instance that never comes back under the same id (a recreated container has a new
 * host name) would keep its pipeline skipped forever.
 */
public class RunHeartbeat {

    private static final Logger LOG = LoggerFactory.getLogger(RunHeartbeat.class);

    private final RunStore runs;
    private final long staleAfterMillis;

    public RunHeartbeat(RunStore runs, long staleAfterMillis) {
        this.runs = runs;
        this.staleAfterMillis = staleAfterMillis;
    }

    public void beat() {
        runs.heartbeat();
        int abandoned = runs.abandonStale(staleAfterMillis);
        if (abandoned > 0) {
            LOG.warn("{} live run(s) of other instances gave no heartbeat for {} s: marked abandoned", abandoned,
                    staleAfterMillis / 1000);
        }
    }
}
