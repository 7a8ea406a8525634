package io.harvester.infra;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failures of a recurring piece of work logged once per outage instead of once per attempt (a timer every
 * second, or every request while Redis is away, would otherwise print a stack trace each time): one WARN
 * when the work starts failing, one INFO when it works again. A different reason during the same outage
 * is logged at DEBUG, the stack trace too.
 */
public final class OutageLog {

    private static final Logger LOG = LoggerFactory.getLogger(OutageLog.class);

    private final String work;
    private String failing;
    /** When the last outage ended (nanoTime; none when {@code recovered} is false): attempts begun before it that fail late belong to it. */
    private boolean recovered;
    private long recoveredAt;

    /** @param work what fails, as the log line's subject ("Delayed-task scan") */
    public OutageLog(String work) {
        this.work = work;
    }

    /** Runs one attempt of a timer's work; a failure is logged as above and swallowed: the next tick is the retry. */
    public void run(Runnable tick) {
        try {
            tick.run();
            succeeded();
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    /** The start of an attempt that runs beside others (a request), for {@link #failed(RuntimeException, long)}. */
    public long attempt() {
        return System.nanoTime();
    }

    /** The work succeeded: the INFO that ends an outage, if one was going on. */
    public synchronized void succeeded() {
        if (failing != null) {
            LOG.info("{} works again", work);
            failing = null;
            recovered = true;
            recoveredAt = System.nanoTime();
        }
    }

    /** The work failed: the WARN that starts an outage, or a DEBUG line during one. */
    public void failed(RuntimeException e) {
        failed(e, System.nanoTime());
    }

    /**
     * An attempt begun at {@code attemptStarted} failed. One begun before the last outage ended, failing only now (its
     * client's retries outlasted the outage), is part of that outage, not a new one: DEBUG only.
     */
    public synchronized void failed(RuntimeException e, long attemptStarted) {
        String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
        if (failing == null && recovered && attemptStarted - recoveredAt < 0) {
            LOG.debug("{}: an attempt begun during the outage that ended failed late: {}", work, reason);
            return;
        }
        if (failing == null) {
            LOG.warn("{} failed, retried until it works: {}", work, reason);
        } else if (!reason.equals(failing)) {
            LOG.debug("{} still failing: {}", work, reason);
        }
        LOG.debug("{} failure in full", work, e);
        failing = reason;
    }

    /** Whether the last attempt failed. */
    public synchronized boolean failing() {
        return failing != null;
    }
}
