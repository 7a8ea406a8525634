package io.harvester.infra;

import java.time.Duration;
import java.util.concurrent.Callable;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries reaching a storage server at start-up for {@code harvester.storage.startup-wait}: in
 * docker-compose or after a reboot the database often comes up a little after Harvester. Progress is
 * logged every ten seconds; past the wait the start-up fails naming the server and the last error.
 */
final class StorageWait {

    private static final Logger LOG = LoggerFactory.getLogger(StorageWait.class);
    private static final long LOG_EVERY_MS = 10_000;
    private static final long RETRY_EVERY_MS = 1_000;

    private StorageWait() {
    }

    static <T> T until(String what, Duration wait, Callable<T> attempt) {
        long start = System.currentTimeMillis();
        long deadline = start + wait.toMillis();
        long nextLog = start;
        while (true) {
            try {
                return attempt.call();
            } catch (Exception e) {
                long now = System.currentTimeMillis();
                if (now >= deadline) {
                    throw new IllegalStateException(what + " is unreachable after " + wait.toSeconds()
                            + " s (harvester.storage.startup-wait): " + e.getMessage(), e);
                }
                if (now >= nextLog) {
                    LOG.warn("Waiting for {} ({} s of {} s): {}", what, (now - start) / 1000, wait.toSeconds(),
                            e.getMessage());
                    nextLog = now + LOG_EVERY_MS;
                }
                try {
                    Thread.sleep(Math.min(RETRY_EVERY_MS, Math.max(1, deadline - now)));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for " + what, interrupted);
                }
            }
        }
    }
}
