package io.harvester.runs;

import java.util.Map;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the run model honest about who is alive (route {@code run-heartbeat} in
 * routes/harvester-runs.camel.yaml calls {@link #beat()}): the runs this process works on get a fresh
 * {@code heartbeat_at}, and live runs nobody beats for any more are ended (abandoned when their instance is gone too, failed when it
 * is alive). Runs another instance ended or asked to stop are stopped here. Only runs with a live
 * handle are beaten, so a run row no thread works on goes stale too, instead of blocking its pipeline.
 */
public class RunHeartbeat {

    private static final Logger LOG = LoggerFactory.getLogger(RunHeartbeat.class);

    private final RunLifecycle lifecycle;
    private final long staleAfterMillis;
    private final long intervalMillis;
    private volatile Supplier<Map<String, Long>> thresholds = Map::of;
    /** When beats work again after the database was away (0: no outage since the last sweep; -1: away now). */
    private volatile long backSince;

    public RunHeartbeat(RunLifecycle lifecycle, long staleAfterMillis, long intervalMillis) {
        this.lifecycle = lifecycle;
        this.staleAfterMillis = staleAfterMillis;
        this.intervalMillis = intervalMillis;
    }

    /** Silence thresholds of pipelines that have their own (a job's stuck-after), in milliseconds. */
    public void setThresholds(Supplier<Map<String, Long>> thresholds) {
        this.thresholds = thresholds;
    }

    public void beat() {
        Heartbeats.Beat beat;
        try {
            beat = lifecycle.store().heartbeats().beat(lifecycle.liveIds());
        } catch (RuntimeException databaseAway) {
            backSince = -1;
            throw databaseAway;
        }
        if (backSince == -1) {
            backSince = System.currentTimeMillis();
        }
        beat.lost().forEach(lost -> lifecycle.store().fence().lost(lost.id(), lost.why()));
        beat.stops().forEach(lifecycle::stopFromRow);
        lifecycle.confirmSettled();
        // after an outage every instance looks silent: sweep once the others had two beats to show they live
        if (backSince > 0 && System.currentTimeMillis() - backSince < 2 * intervalMillis) {
            return;
        }
        backSince = 0;
        int ended = lifecycle.store().heartbeats().sweep(staleAfterMillis, thresholds.get());
        if (ended > 0) {
            LOG.warn("{} live run(s) gave no heartbeat for their threshold (default {} s): ended, see run_logs", ended,
                    staleAfterMillis / 1000);
        }
    }
}
