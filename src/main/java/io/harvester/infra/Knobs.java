package io.harvester.infra;

import org.apache.camel.CamelContext;
import org.apache.camel.NoTypeConversionAvailableException;
import org.apache.camel.TypeConversionException;

/**
 * Harvester's knobs as Camel resolves them (application.properties, the profile's file, {@code -D}, the
 * environment), for typed settings read once ({@code RunSettings.from}). application.properties gives every
 * knob its value, so none has a default here: a key set nowhere stops start-up naming it, as
 * {@code @PropertyInject} does.
 */
public final class Knobs {

    private final CamelContext context;

    public Knobs(CamelContext context) {
        this.context = context;
    }

    /** The knob {@code key} (in full: {@code harvester.runs.retention-days}) as {@code type}. */
    public <T> T value(String key, Class<T> type) {
        String text = context.resolvePropertyPlaceholders("{{" + key + "}}");
        try {
            return context.getTypeConverter().mandatoryConvertTo(type, text);
        } catch (NoTypeConversionAvailableException | TypeConversionException e) {
            throw new IllegalArgumentException(key + " = " + text + ": not a " + type.getSimpleName(), e);
        }
    }
}
