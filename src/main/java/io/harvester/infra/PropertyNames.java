package io.harvester.infra;

import java.util.HashSet;
import java.util.Set;

import org.apache.camel.CamelContext;

/** Every property key this daemon was given, for checks that refuse keys naming nothing. */
public final class PropertyNames {

    private PropertyNames() {
    }

    /**
     * The properties files' keys, the override ones, and -D ones (Camel resolves those at lookup, not on
     * load). Environment variables are not keys: each check reads those itself.
     */
    public static Set<String> of(CamelContext context) {
        Set<String> keys = new HashSet<>(context.getPropertiesComponent().loadProperties().stringPropertyNames());
        keys.addAll(System.getProperties().stringPropertyNames());
        return keys;
    }
}
