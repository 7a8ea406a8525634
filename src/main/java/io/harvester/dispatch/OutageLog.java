package io.harvester.dispatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A timer's failures logged once per outage instead of once per tick (a release every second would
 * otherwise print a stack trace a second while Redis is away): a WARN when the work starts failing or
 * fails differently, an INFO when it works again. The next tick is the retry.
 */
final class OutageLog {

    private static final Logger LOG = LoggerFactory.getLogger(OutageLog.class);

    private final String work;
    private String failing;

    OutageLog(String work) {
        this.work = work;
    }

    synchronized void run(Runnable tick) {
        try {
            tick.run();
            if (failing != null) {
                LOG.info("{} works again", work);
                failing = null;
            }
        } catch (RuntimeException e) {
            String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
            if (!reason.equals(failing)) {
                LOG.warn("{} failed, retried every tick: {}", work, reason);
                LOG.debug("{} failure in full", work, e);
            }
            failing = reason;
        }
    }
}
