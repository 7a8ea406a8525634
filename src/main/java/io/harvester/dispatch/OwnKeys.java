package io.harvester.dispatch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The Redis key prefixes Harvester writes under on its own, each with the property that sets it. A delayed
 * task may not target a key under one: a set there would break what Harvester keeps there (a set at
 * {@code harvester:status:states} makes every status report answer WRONGTYPE).
 */
final class OwnKeys {

    private final Map<String, String> propertyByPrefix = new LinkedHashMap<>();

    /** Adds a prefix and the property naming it; a blank one (switched off) reserves nothing. */
    OwnKeys prefix(String property, String prefix) {
        if (prefix != null && !prefix.isBlank()) {
            propertyByPrefix.putIfAbsent(prefix, property);
        }
        return this;
    }

    /** Why a key is Harvester's own ("harvester:status:… (harvester.status.key-prefix)"); empty when it is not. */
    Optional<String> owner(String key) {
        return propertyByPrefix.entrySet().stream().filter(e -> key.startsWith(e.getKey())).findFirst()
                .map(e -> e.getKey() + "… (" + e.getValue() + ")");
    }
}
