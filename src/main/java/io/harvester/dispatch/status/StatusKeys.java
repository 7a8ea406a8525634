package io.harvester.dispatch.status;

/**
 * The status cache's Redis keys. {@code prefix} ({@code harvester.status.key-prefix}) holds what is
 * Harvester's own; the workers' list and their task records are named by the fleet's settings. Lists of
 * one instance carry its id, so a restarted instance finds what its predecessor left, and the others find
 * what a dead one left once its lease has expired.
 */
public record StatusKeys(String prefix, String queue, String recordPrefix, String instance) {

    /** The workers' list entries this instance has taken and not yet applied. */
    String processing() {
        return prefix + "processing:" + instance;
    }

    /** List entries no update could be made of, or that the script refused: kept for a human. */
    String rejected() {
        return prefix + "rejected";
    }

    String states() {
        return prefix + "states";
    }

    String statesAt() {
        return prefix + "states-at";
    }

    /** Acknowledged updates not yet in PostgreSQL, shared by every instance. */
    String pending() {
        return prefix + "pending";
    }

    /** The batch this instance is writing to PostgreSQL. */
    String flushing() {
        return prefix + "flushing:" + instance;
    }

    /** Present while this instance is alive (it expires unless renewed). */
    String lease() {
        return prefix + "lease:" + instance;
    }

    /** Instances that may hold a batch or list entries. */
    String instances() {
        return prefix + "instances";
    }

    String record(String taskId) {
        return recordPrefix + taskId;
    }
}
