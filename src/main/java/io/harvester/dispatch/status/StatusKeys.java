package io.harvester.dispatch.status;

/**
 * The status cache's Redis keys. {@code prefix} ({@code harvester.status.key-prefix}) holds what is
 * Harvester's own; the workers' list and their task records are named by the fleet's settings. Lists and
 * maps of one instance carry its id, so a restarted instance finds what its predecessor left.
 */
public record StatusKeys(String prefix, String queue, String recordPrefix, String instance) {

    String processing() {
        return prefix + "processing:" + instance;
    }

    String rejected() {
        return prefix + "rejected";
    }

    String states() {
        return prefix + "states";
    }

    String statesAt() {
        return prefix + "states-at";
    }

    String aggregation() {
        return prefix + "aggregation:" + instance;
    }

    String record(String taskId) {
        return recordPrefix + taskId;
    }
}
